/**
 * Writes the records the group coordinator appends to `__consumer_offsets`, in the versions
 * Kafka's own coordinator writes today (reference/kafka-format.md §8), so a log directory written
 * here reads the same in Kafka and in every tool that reads that topic.
 */
import type { GroupMemberMetadata } from './offsets-topic-records';
import { StructWriter } from './struct-writer';

export const OFFSET_COMMIT_KEY_VERSION = 1;
/** What Kafka writes unless a commit carries an expire timestamp. */
export const OFFSET_COMMIT_VALUE_VERSION = 3;
/** The only version with an expire timestamp (OffsetCommit v1 requests with a retention time). */
export const OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
export const GROUP_METADATA_VALUE_VERSION = 3;

export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return new StructWriter().int16(OFFSET_COMMIT_KEY_VERSION).string(group).string(topic).int32(partition).build();
}

export interface OffsetCommitValueFields {
  readonly offset: number;
  /** -1 when unknown; dropped from the v1 form, which has no such field. */
  readonly leaderEpoch?: number;
  readonly metadata?: string;
  readonly commitTimestamp: number;
  /** When given (and not -1), the value is written as v1, the only version that has it. */
  readonly expireTimestamp?: number;
}

export function encodeOffsetCommitValue(f: OffsetCommitValueFields): Buffer {
  const metadata = f.metadata ?? '';
  if (f.expireTimestamp !== undefined && f.expireTimestamp !== -1) {
    return new StructWriter()
      .int16(OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY)
      .int64(f.offset)
      .string(metadata)
      .int64(f.commitTimestamp)
      .int64(f.expireTimestamp)
      .build();
  }
  return new StructWriter()
    .int16(OFFSET_COMMIT_VALUE_VERSION)
    .int64(f.offset)
    .int32(f.leaderEpoch ?? -1)
    .string(metadata)
    .int64(f.commitTimestamp)
    .build();
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return new StructWriter().int16(GROUP_METADATA_KEY_VERSION).string(group).build();
}

/** A member as GroupMetadataValue stores it: the fields the decoder reads back. */
export type GroupMemberFields = GroupMemberMetadata;

export interface GroupMetadataValueFields {
  /** "" for a group that never had a member with a protocol type (as Kafka writes it). */
  readonly protocolType: string;
  readonly generation: number;
  readonly protocol: string | null;
  readonly leader: string | null;
  readonly currentStateTimestamp: number;
  readonly members: readonly GroupMemberFields[];
}

export function encodeGroupMetadataValue(f: GroupMetadataValueFields): Buffer {
  const w = new StructWriter()
    .int16(GROUP_METADATA_VALUE_VERSION)
    .string(f.protocolType)
    .int32(f.generation)
    .string(f.protocol)
    .string(f.leader)
    .int64(f.currentStateTimestamp)
    .int32(f.members.length);
  for (const m of f.members) {
    w.string(m.memberId)
      .string(m.groupInstanceId)
      .string(m.clientId)
      .string(m.clientHost)
      .int32(m.rebalanceTimeout)
      .int32(m.sessionTimeout)
      .bytes(m.subscription)
      .bytes(m.assignment);
  }
  return w.build();
}
