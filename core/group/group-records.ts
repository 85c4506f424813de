/**
 * The `__consumer_offsets` records of the coordinator's state changes: a commit becomes one
 * OffsetCommit record per partition, a completed rebalance one GroupMetadata record, as Kafka's
 * GroupMetadataManager writes them.
 */
import type { CommittedOffset } from './committed-offsets';
import type { ClassicGroup } from './classic-group';
import type { OffsetsTopicAppend } from './group-store';
import { encodeGroupMetadataKey, encodeGroupMetadataValue, encodeOffsetCommitKey, encodeOffsetCommitValue } from './offsets-topic-encoder';

/** A commit as it is stored: the same fields a commit has when read back. */
export type CommitToStore = CommittedOffset;

export function offsetCommitRecord(groupId: string, c: CommitToStore, timestamp: number): OffsetsTopicAppend {
  return {
    key: encodeOffsetCommitKey(groupId, c.topic, c.partition),
    value: encodeOffsetCommitValue(c),
    timestamp,
  };
}

/** The group as it stands, with the assignments of the generation being completed. */
export function groupMetadataRecord(group: ClassicGroup, assignments: ReadonlyMap<string, Buffer>, timestamp: number): OffsetsTopicAppend {
  const members = [...group.members.values()].map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    rebalanceTimeout: m.rebalanceTimeoutMs,
    sessionTimeout: m.sessionTimeoutMs,
    subscription: m.metadataFor(group.protocolName),
    assignment: assignments.get(m.memberId) ?? Buffer.alloc(0),
  }));
  return {
    key: encodeGroupMetadataKey(group.groupId),
    value: encodeGroupMetadataValue({
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol: group.protocolName,
      leader: group.leaderId,
      currentStateTimestamp: group.currentStateTimestamp,
      members,
    }),
    timestamp,
  };
}
