import type { RequestBody, ResponseInput } from '../../protocol/api-registry';
import type { ApiKey } from '../../protocol/api-keys';
import { ErrorCode } from '../../protocol/error-codes';
import type { ListenerContext } from '../listener-context';

/** Who sent a request: JoinGroup records it with the member, as Kafka does. */
export interface RequestOrigin {
  readonly clientId: string;
  readonly clientHost: string;
}

/** FindCoordinator: this node coordinates every group; transactions are not served. */
export function handleFindCoordinator(ctx: ListenerContext, request: RequestBody<typeof ApiKey.FindCoordinator>): ResponseInput<typeof ApiKey.FindCoordinator> {
  const { broker } = ctx;
  const answer = (key: string) =>
    request.keyType === 1
      ? { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: 'transactions are not supported by this tapedeck listener' }
      : { key, nodeId: broker.nodeId, host: broker.host, port: broker.port, errorCode: ErrorCode.NONE, errorMessage: null };
  const single = answer(request.key);
  return { throttleTimeMs: 0, ...single, coordinators: request.coordinatorKeys.map(answer) };
}

export async function handleJoinGroup(ctx: ListenerContext, request: RequestBody<typeof ApiKey.JoinGroup>, origin: RequestOrigin): Promise<ResponseInput<typeof ApiKey.JoinGroup>> {
  const result = await ctx.groups.joinGroup({
    groupId: request.groupId,
    memberId: request.memberId || null,
    groupInstanceId: request.groupInstanceId,
    clientId: origin.clientId,
    clientHost: origin.clientHost,
    sessionTimeoutMs: request.sessionTimeoutMs,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs > 0 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
    protocolType: request.protocolType,
    protocols: request.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
  });
  return {
    throttleTimeMs: 0,
    errorCode: result.error,
    generationId: result.generationId,
    protocolType: result.protocolType,
    protocolName: result.protocolName ?? '',
    leader: result.leader,
    skipAssignment: false,
    memberId: result.memberId,
    members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
  };
}

export async function handleSyncGroup(ctx: ListenerContext, request: RequestBody<typeof ApiKey.SyncGroup>): Promise<ResponseInput<typeof ApiKey.SyncGroup>> {
  const result = await ctx.groups.syncGroup({
    groupId: request.groupId,
    generationId: request.generationId,
    memberId: request.memberId,
    groupInstanceId: request.groupInstanceId,
    protocolType: request.protocolType,
    protocolName: request.protocolName,
    assignments: request.assignments.map((a) => ({ memberId: a.memberId, assignment: Buffer.from(a.assignment) })),
  });
  return { throttleTimeMs: 0, errorCode: result.error, protocolType: result.protocolType, protocolName: result.protocolName, assignment: result.assignment };
}

export function handleHeartbeat(ctx: ListenerContext, request: RequestBody<typeof ApiKey.Heartbeat>): ResponseInput<typeof ApiKey.Heartbeat> {
  return { throttleTimeMs: 0, errorCode: ctx.groups.heartbeat({ groupId: request.groupId, generationId: request.generationId, memberId: request.memberId, groupInstanceId: request.groupInstanceId }) };
}

export function handleLeaveGroup(ctx: ListenerContext, request: RequestBody<typeof ApiKey.LeaveGroup>): ResponseInput<typeof ApiKey.LeaveGroup> {
  const memberIds = request.members.length ? request.members.map((m) => m.memberId) : [request.memberId];
  const result = ctx.groups.leaveGroup({ groupId: request.groupId, memberIds });
  return { throttleTimeMs: 0, errorCode: result.error, members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: null, errorCode: m.error })) };
}

export function handleOffsetCommit(ctx: ListenerContext, request: RequestBody<typeof ApiKey.OffsetCommit>): ResponseInput<typeof ApiKey.OffsetCommit> {
  // An offset beyond 2^53 (only a broken or hostile client sends one) does not survive as a
  // number; it is refused on its own rather than failing the whole request.
  const offsets = request.topics.flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata })),
  );
  const valid = offsets.filter((o) => Number.isSafeInteger(o.offset));
  const result =
    valid.length > 0 || offsets.length === 0
      ? ctx.groups.commitOffsets({ groupId: request.groupId, generationId: request.generationIdOrMemberEpoch, memberId: request.memberId, groupInstanceId: request.groupInstanceId, offsets: valid })
      : { error: ErrorCode.NONE, partitions: [] };
  const errorOf = (topic: string, partition: number, offset: number) =>
    Number.isSafeInteger(offset) ? (result.partitions.find((p) => p.topic === topic && p.partition === partition)?.error ?? result.error) : ErrorCode.INVALID_REQUEST;
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errorOf(t.name, p.partitionIndex, p.committedOffset) })) })),
  };
}

type FetchTopics = readonly { readonly name: string; readonly partitionIndexes: readonly number[] }[] | null;

function fetchGroupOffsets(ctx: ListenerContext, groupId: string, topics: FetchTopics) {
  const partitions = topics === null ? null : topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
  const result = ctx.groups.fetchOffsets({ groupId, partitions });
  const byTopic = new Map<string, { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; metadata: string; errorCode: number }[]>();
  for (const o of result.offsets) {
    const list = byTopic.get(o.topic) ?? [];
    list.push({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: o.error });
    byTopic.set(o.topic, list);
  }
  return { errorCode: result.error, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
}

/** OffsetFetch: one group before v8, a list of groups from v8. */
export function handleOffsetFetch(ctx: ListenerContext, request: RequestBody<typeof ApiKey.OffsetFetch>, version: number): ResponseInput<typeof ApiKey.OffsetFetch> {
  if (version >= 8) {
    return { throttleTimeMs: 0, groups: request.groups.map((g) => ({ groupId: g.groupId, ...fetchGroupOffsets(ctx, g.groupId, g.topics) })) };
  }
  return { throttleTimeMs: 0, ...fetchGroupOffsets(ctx, request.groupId, request.topics) };
}

export function handleListGroups(ctx: ListenerContext): ResponseInput<typeof ApiKey.ListGroups> {
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups: ctx.groups.listGroups().map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state })) };
}

export function handleDescribeGroups(ctx: ListenerContext, request: RequestBody<typeof ApiKey.DescribeGroups>): ResponseInput<typeof ApiKey.DescribeGroups> {
  return {
    throttleTimeMs: 0,
    groups: request.groups.map((groupId) => {
      const d = ctx.groups.describeGroup(groupId);
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        groupState: d.state,
        protocolType: d.protocolType,
        protocolData: d.protocol,
        members: d.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost, memberMetadata: m.metadata, memberAssignment: m.assignment })),
        authorizedOperations: -2147483648,
      };
    }),
  };
}
