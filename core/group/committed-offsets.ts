/**
 * The current state of consumer groups, as a projection of `__consumer_offsets`: fold its records in
 * offset order and the last record per key wins, as compaction would leave it.
 */
import { decodeMemberProtocol } from './consumer-protocol';
import type { ConsumerAssignment, ConsumerSubscription, MemberProtocolData } from './consumer-protocol';
import { decodeGroupMetadataValue, decodeOffsetCommitValue, decodeOffsetsTopicKey, OffsetsRecordError } from './offsets-topic-records';
import type { GroupMetadataValue, OffsetsTopicKey } from './offsets-topic-records';

export interface OffsetsTopicRecord {
  /** Offset of the record in its `__consumer_offsets` partition. */
  readonly offset: number;
  readonly key: Buffer | null;
  /** null is a tombstone. */
  readonly value: Buffer | null;
  readonly timestamp: number;
}

export interface CommittedOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset the group will read. */
  readonly offset: number;
  /** -1 when unknown. */
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestamp: number;
  /** -1 unless the commit carried one (value v1). */
  readonly expireTimestamp: number;
}

export interface ConsumerGroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** -1 when the record predates it (value v0). */
  readonly rebalanceTimeout: number;
  readonly sessionTimeout: number;
  readonly subscription: MemberProtocolData<ConsumerSubscription>;
  readonly assignment: MemberProtocolData<ConsumerAssignment>;
}

export interface ConsumerGroupState {
  readonly groupId: string;
  /**
   * Whether a group metadata record is in effect. Groups that only commit offsets (consumers using
   * assign(), Flink, tools that reset offsets) never write one; their metadata fields are null.
   */
  readonly hasMetadata: boolean;
  readonly protocolType: string | null;
  readonly generation: number | null;
  readonly protocol: string | null;
  readonly leader: string | null;
  /** -1 when the metadata record predates it (value v0-v1); null without metadata. */
  readonly currentStateTimestamp: number | null;
  readonly members: readonly ConsumerGroupMember[];
  /** Sorted by topic, then partition. */
  readonly offsets: readonly CommittedOffset[];
  /** Timestamp of the last record that changed this group. */
  readonly lastUpdated: number;
}

export interface OffsetsProjectionWarning {
  readonly offset: number;
  /** Where the record came from, as the caller named it (e.g. "…/__consumer_offsets-44/00000000000000000000.log"). */
  readonly where: string;
  readonly message: string;
}

interface GroupMetadataState {
  readonly value: GroupMetadataValue;
  readonly members: readonly ConsumerGroupMember[];
}

interface MutableGroup {
  metadata: GroupMetadataState | null;
  /** Keyed by topic and partition. */
  readonly offsets: Map<string, CommittedOffset>;
  lastUpdated: number;
}

const DEFAULT_WHERE = '__consumer_offsets';

function offsetKey(topic: string, partition: number): string {
  return `${partition}\u0000${topic}`;
}

function compareOffsets(a: CommittedOffset, b: CommittedOffset): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}

function projectMembers(value: GroupMetadataValue): ConsumerGroupMember[] {
  return value.members.map((m) => {
    const { subscription, assignment } = decodeMemberProtocol(value.protocolType, m.subscription, m.assignment);
    return {
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeout,
      sessionTimeout: m.sessionTimeout,
      subscription,
      assignment,
    };
  });
}

function describeKey(key: Exclude<OffsetsTopicKey, { kind: 'other' }>): string {
  return key.kind === 'offset'
    ? `offset commit of group ${JSON.stringify(key.group)} for ${key.topic}-${key.partition}`
    : `metadata of group ${JSON.stringify(key.group)}`;
}

export class CommittedOffsetsProjection {
  private readonly state = new Map<string, MutableGroup>();
  private readonly collected: OffsetsProjectionWarning[] = [];

  /**
   * Folds one record. Records must come in offset order per `__consumer_offsets` partition. A
   * record that does not decode leaves the state as it was and becomes a warning.
   */
  apply(record: OffsetsTopicRecord, where: string = DEFAULT_WHERE): void {
    if (record.key === null) return;
    let key: OffsetsTopicKey;
    try {
      key = decodeOffsetsTopicKey(record.key);
    } catch (error) {
      if (!(error instanceof OffsetsRecordError)) throw error;
      this.warn(record.offset, where, `key: ${error.message}`);
      return;
    }
    if (key.kind === 'other') return;

    if (record.value === null) {
      this.delete(key, record.timestamp);
      return;
    }
    try {
      if (key.kind === 'offset') {
        const v = decodeOffsetCommitValue(record.value);
        const group = this.group(key.group);
        group.offsets.set(offsetKey(key.topic, key.partition), {
          topic: key.topic,
          partition: key.partition,
          offset: v.offset,
          leaderEpoch: v.leaderEpoch,
          metadata: v.metadata,
          commitTimestamp: v.commitTimestamp,
          expireTimestamp: v.expireTimestamp,
        });
        group.lastUpdated = record.timestamp;
      } else {
        const v = decodeGroupMetadataValue(record.value);
        const group = this.group(key.group);
        group.metadata = { value: v, members: projectMembers(v) };
        group.lastUpdated = record.timestamp;
      }
    } catch (error) {
      if (!(error instanceof OffsetsRecordError)) throw error;
      this.warn(record.offset, where, `value of the ${describeKey(key)}: ${error.message}`);
    }
  }

  /** Every group with metadata or at least one committed offset, sorted by group id. */
  groups(): ConsumerGroupState[] {
    const ids = [...this.state.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return ids.map((groupId) => {
      const g = this.state.get(groupId) as MutableGroup;
      const offsets = [...g.offsets.values()].sort(compareOffsets);
      const m = g.metadata;
      return {
        groupId,
        hasMetadata: m !== null,
        protocolType: m ? m.value.protocolType : null,
        generation: m ? m.value.generation : null,
        protocol: m ? m.value.protocol : null,
        leader: m ? m.value.leader : null,
        currentStateTimestamp: m ? m.value.currentStateTimestamp : null,
        members: m ? [...m.members] : [],
        offsets,
        lastUpdated: g.lastUpdated,
      };
    });
  }

  warnings(): OffsetsProjectionWarning[] {
    return [...this.collected];
  }

  private group(groupId: string): MutableGroup {
    let g = this.state.get(groupId);
    if (!g) {
      g = { metadata: null, offsets: new Map(), lastUpdated: -1 };
      this.state.set(groupId, g);
    }
    return g;
  }

  private delete(key: Exclude<OffsetsTopicKey, { kind: 'other' }>, timestamp: number): void {
    const g = this.state.get(key.group);
    if (!g) return;
    // Kafka keeps a group's offsets and its metadata under separate keys, so deleting one leaves
    // the other: a group whose metadata expired still has the offsets it committed.
    if (key.kind === 'offset') g.offsets.delete(offsetKey(key.topic, key.partition));
    else g.metadata = null;
    g.lastUpdated = timestamp;
    if (g.metadata === null && g.offsets.size === 0) this.state.delete(key.group);
  }

  private warn(offset: number, where: string, message: string): void {
    this.collected.push({ offset, where, message });
  }
}
