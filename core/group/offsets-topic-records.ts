/**
 * Keys and values of the records in `__consumer_offsets` (reference/kafka-format.md §8): offset
 * commits and classic group metadata. Each key and value is an int16 version and a big-endian struct.
 */
import { StructReader } from './struct-reader';

export type OffsetsRecordPart = 'key' | 'value';

/** Bytes of a `__consumer_offsets` key or value that do not decode. Names the field, the byte and why. */
export class OffsetsRecordError extends Error {
  readonly part: OffsetsRecordPart;
  /** Struct and field, e.g. "OffsetCommitKey.group" or "GroupMetadataValue.members[1].clientId". */
  readonly field: string;
  /** Byte position in the key or value. */
  readonly position: number;
  readonly reason: string;

  constructor(part: OffsetsRecordPart, field: string, position: number, reason: string) {
    super(`${field}: ${reason}`);
    this.name = 'OffsetsRecordError';
    this.part = part;
    this.field = field;
    this.position = position;
    this.reason = reason;
  }
}

function readerFor(bytes: Buffer, part: OffsetsRecordPart): StructReader {
  return new StructReader(bytes, part, (field, position, reason) => new OffsetsRecordError(part, field, position, reason));
}

export type OffsetsTopicKey =
  | {
      readonly kind: 'offset';
      readonly version: number;
      readonly group: string;
      readonly topic: string;
      readonly partition: number;
    }
  | { readonly kind: 'group'; readonly version: number; readonly group: string }
  /** KIP-848 consumer groups, share groups, streams groups and whatever comes next. */
  | { readonly kind: 'other'; readonly version: number };

export function decodeOffsetsTopicKey(key: Buffer): OffsetsTopicKey {
  const r = readerFor(key, 'key');
  const version = r.int16('key.version');
  if (version === 0 || version === 1) {
    const group = r.string('OffsetCommitKey.group');
    const topic = r.string('OffsetCommitKey.topic');
    const partition = r.int32('OffsetCommitKey.partition');
    r.expectEnd('OffsetCommitKey');
    return { kind: 'offset', version, group, topic, partition };
  }
  if (version === 2) {
    const group = r.string('GroupMetadataKey.group');
    r.expectEnd('GroupMetadataKey');
    return { kind: 'group', version, group };
  }
  // Kafka's own loader skips record types it does not know, and new ones keep arriving (3-8
  // KIP-848, 9-15 share groups, later streams groups), so any non-negative version is a record
  // for someone else rather than corruption.
  if (version < 0) r.fail('key.version', 0, `key version ${version} is negative`);
  return { kind: 'other', version };
}

export interface OffsetCommitValue {
  readonly version: number;
  readonly offset: number;
  /** -1 when absent (before v3) or unknown. */
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestamp: number;
  /** -1 when absent: only v1 carries it. */
  readonly expireTimestamp: number;
}

const MAX_OFFSET_COMMIT_VALUE_VERSION = 4;

export function decodeOffsetCommitValue(value: Buffer): OffsetCommitValue {
  const r = readerFor(value, 'value');
  const version = r.version('OffsetCommitValue', MAX_OFFSET_COMMIT_VALUE_VERSION);
  const flexible = version >= 4;
  const offset = r.int64('OffsetCommitValue.offset');
  const leaderEpoch = version >= 3 ? r.int32('OffsetCommitValue.leaderEpoch') : -1;
  const metadata = flexible ? r.compactString('OffsetCommitValue.metadata') : r.string('OffsetCommitValue.metadata');
  const commitTimestamp = r.int64('OffsetCommitValue.commitTimestamp');
  const expireTimestamp = version === 1 ? r.int64('OffsetCommitValue.expireTimestamp') : -1;
  if (flexible) r.skipTaggedFields('OffsetCommitValue.taggedFields');
  r.expectEnd('OffsetCommitValue');
  return { version, offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}

export interface GroupMemberMetadata {
  readonly memberId: string;
  /** Static membership (KIP-345); null when absent (before v3) or not set. */
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** -1 when absent (v0). Kafka itself falls back to the session timeout for v0 members. */
  readonly rebalanceTimeout: number;
  readonly sessionTimeout: number;
  /** Opaque to the broker: its format belongs to the protocol type (see consumer-protocol.ts). */
  readonly subscription: Buffer;
  readonly assignment: Buffer;
}

export interface GroupMetadataValue {
  readonly version: number;
  readonly protocolType: string;
  readonly generation: number;
  readonly protocol: string | null;
  readonly leader: string | null;
  /** -1 when absent (before v2). */
  readonly currentStateTimestamp: number;
  readonly members: readonly GroupMemberMetadata[];
}

const MAX_GROUP_METADATA_VALUE_VERSION = 4;

export function decodeGroupMetadataValue(value: Buffer): GroupMetadataValue {
  const r = readerFor(value, 'value');
  const version = r.version('GroupMetadataValue', MAX_GROUP_METADATA_VALUE_VERSION);
  const flexible = version >= 4;
  const str = (field: string): string => (flexible ? r.compactString(field) : r.string(field));
  const nullableStr = (field: string): string | null =>
    flexible ? r.compactString(field, true) : r.string(field, true);
  const bytes = (field: string): Buffer => (flexible ? r.compactBytes(field) : r.bytesField(field));

  const protocolType = str('GroupMetadataValue.protocolType');
  const generation = r.int32('GroupMetadataValue.generation');
  const protocol = nullableStr('GroupMetadataValue.protocol');
  const leader = nullableStr('GroupMetadataValue.leader');
  const currentStateTimestamp = version >= 2 ? r.int64('GroupMetadataValue.currentStateTimestamp') : -1;

  // The fewest bytes a member can take (empty strings and bytes), so a garbage count fails early.
  const minMemberSize = flexible ? 4 * 1 + 2 * 4 + 2 * 1 + 1 : 3 * 2 + 4 + 2 * 4;
  const count = flexible
    ? r.compactArrayCount('GroupMetadataValue.members', minMemberSize)
    : r.arrayCount('GroupMetadataValue.members', minMemberSize);
  const members: GroupMemberMetadata[] = [];
  for (let i = 0; i < count; i++) {
    const f = `GroupMetadataValue.members[${i}]`;
    const memberId = str(`${f}.memberId`);
    const groupInstanceId = version >= 3 ? nullableStr(`${f}.groupInstanceId`) : null;
    const clientId = str(`${f}.clientId`);
    const clientHost = str(`${f}.clientHost`);
    const rebalanceTimeout = version >= 1 ? r.int32(`${f}.rebalanceTimeout`) : -1;
    const sessionTimeout = r.int32(`${f}.sessionTimeout`);
    const subscription = bytes(`${f}.subscription`);
    const assignment = bytes(`${f}.assignment`);
    if (flexible) r.skipTaggedFields(`${f}.taggedFields`);
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout, subscription, assignment });
  }
  if (flexible) r.skipTaggedFields('GroupMetadataValue.taggedFields');
  r.expectEnd('GroupMetadataValue');
  return { version, protocolType, generation, protocol, leader, currentStateTimestamp, members };
}
