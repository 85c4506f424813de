/**
 * Requests and results of the group coordinator: the fields of the Kafka group APIs
 * (kafka-format.md §6.7) without the transport, so the wire listener maps them one to one and the
 * in-process consumer calls them directly.
 */
import type { ConsumerAssignment, ConsumerSubscription, MemberProtocolData } from './consumer-protocol';
import type { GroupErrorCode } from './group-error-codes';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface JoinGroupProtocol {
  readonly name: string;
  /** For protocol type "consumer", a ConsumerProtocolSubscription; opaque to the coordinator. */
  readonly metadata: Buffer;
}

export interface JoinGroupRequest {
  readonly groupId: string;
  /** '' or null for a member joining for the first time. */
  readonly memberId?: string | null;
  readonly groupInstanceId?: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly sessionTimeoutMs: number;
  /** JoinGroup v0 has none; the session timeout stands in, as in Kafka. */
  readonly rebalanceTimeoutMs?: number;
  readonly protocolType: string;
  readonly protocols: readonly JoinGroupProtocol[];
  /**
   * JoinGroup v4+: a new member first gets MEMBER_ID_REQUIRED with its id and joins again with
   * it, so it knows its id (and can leave) while the join is still pending.
   */
  readonly requireKnownMemberId?: boolean;
}

export interface JoinGroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly metadata: Buffer;
}

export interface JoinGroupResult {
  readonly error: GroupErrorCode;
  /** -1 on error. */
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  /** '' on error. */
  readonly leader: string;
  /** The member's id; on MEMBER_ID_REQUIRED the one to join with. */
  readonly memberId: string;
  /** Only the leader gets the members, to compute the assignment from. */
  readonly members: readonly JoinGroupMember[];
}

export interface SyncGroupRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId?: string | null;
  /** SyncGroup v5+: checked against the group's when given. */
  readonly protocolType?: string | null;
  readonly protocolName?: string | null;
  /** From the leader only; members it leaves out get an empty assignment. */
  readonly assignments?: readonly { readonly memberId: string; readonly assignment: Buffer }[];
}

export interface SyncGroupResult {
  readonly error: GroupErrorCode;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignment: Buffer;
}

export interface HeartbeatRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId?: string | null;
}

export interface LeaveGroupRequest {
  readonly groupId: string;
  readonly memberIds: readonly string[];
}

export interface LeaveGroupResult {
  readonly error: GroupErrorCode;
  readonly members: readonly { readonly memberId: string; readonly error: GroupErrorCode }[];
}

export interface OffsetToCommit {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read. */
  readonly offset: number;
  readonly leaderEpoch?: number;
  readonly metadata?: string | null;
}

export interface CommitOffsetsRequest {
  readonly groupId: string;
  /** -1 with memberId '' for a standalone commit (manual assignment), accepted while the group has no members. */
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId?: string | null;
  /** OffsetCommit v2-4; -1 or absent keeps the broker default (and writes value v3 instead of v1). */
  readonly retentionTimeMs?: number;
  readonly offsets: readonly OffsetToCommit[];
}

export interface PartitionError {
  readonly topic: string;
  readonly partition: number;
  readonly error: GroupErrorCode;
}

export interface CommitOffsetsResult {
  /** NONE when every partition was committed, else the first partition's error. */
  readonly error: GroupErrorCode;
  readonly partitions: readonly PartitionError[];
}

export interface FetchOffsetsRequest {
  readonly groupId: string;
  /** null or absent: every partition the group committed. */
  readonly partitions?: readonly { readonly topic: string; readonly partition: number }[] | null;
}

export interface FetchedOffset {
  readonly topic: string;
  readonly partition: number;
  /** -1 when the group never committed this partition. */
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly error: GroupErrorCode;
}

export interface FetchOffsetsResult {
  readonly error: GroupErrorCode;
  /** Sorted by topic then partition when all were asked for; in request order otherwise. */
  readonly offsets: readonly FetchedOffset[];
}

export interface ListedGroup {
  readonly groupId: string;
  /** '' for groups that only commit offsets. */
  readonly protocolType: string;
  readonly state: GroupState;
}

export interface DescribedMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  /** The member's metadata for the group's protocol (empty while none is chosen). */
  readonly metadata: Buffer;
  readonly assignment: Buffer;
  readonly subscription: MemberProtocolData<ConsumerSubscription>;
  readonly decodedAssignment: MemberProtocolData<ConsumerAssignment>;
}

export interface GroupDescription {
  readonly groupId: string;
  /** Dead for a group the coordinator does not know. */
  readonly state: GroupState;
  readonly protocolType: string;
  /** '' unless chosen. */
  readonly protocol: string;
  readonly generationId: number;
  readonly leader: string | null;
  readonly members: readonly DescribedMember[];
}

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** -1 when the group has not committed this partition (it is only assigned). */
  readonly committedOffset: number;
  /** null when the end offset is unknown. */
  readonly endOffset: number | null;
  /** null when either side is unknown. */
  readonly lag: number | null;
  /** The member the partition is assigned to in the current generation, if any. */
  readonly memberId: string | null;
}

export interface GroupLag {
  readonly groupId: string;
  /** Sorted by topic then partition. */
  readonly partitions: readonly PartitionLag[];
  /** Sum of the known lags. */
  readonly totalLag: number;
}
