/**
 * An in-process member of a consumer group: it joins through the coordinator with the consumer
 * protocol, assigns partitions when it leads, heartbeats on a timer and delivers records of the
 * partitions it owns, from the group's committed offsets on. The same protocol a Java consumer
 * speaks, so both kinds can share a group once the wire listener exists.
 *
 * Eager assignors (range, roundrobin) give up every partition before rejoining; cooperative-sticky
 * keeps what it owns and gives up only what the new assignment takes away, then rejoins once more
 * so those partitions can move (KIP-429). Either way a partition is owned by at most one member at
 * a time, and records are read only right after the coordinator confirmed the ownership.
 */
import { ASSIGNORS, isAssignorName } from './assignors/registry';
import type { AssignorName, RebalanceProtocol } from './assignors/registry';
import { compareTopicPartitions, topicPartitionKey } from './assignors/assignor';
import type { AssignorMember, TopicPartition } from './assignors/assignor';
import { decodeConsumerAssignment, decodeConsumerSubscription } from './consumer-protocol';
import type { TopicPartitions } from './consumer-protocol';
import { encodeConsumerAssignment, encodeConsumerSubscription } from './consumer-protocol-encoder';
import type { GroupClock } from './group-clock';
import { TimerSlot } from './group-clock';
import type { GroupCoordinator } from './group-coordinator';
import type { CommitOffsetsResult, JoinGroupResult } from './group-coordinator-api';
import { GroupErrorCode, groupErrorName } from './group-error-codes';
import type { PartitionReader, PartitionRecord } from './partition-reader';

const E = GroupErrorCode;

export interface RebalanceListener {
  /** After a rebalance, with the partitions this member gained (possibly none). */
  onPartitionsAssigned?(partitions: readonly TopicPartition[]): void | Promise<void>;
  /** Before partitions are handed back, after their positions were committed. */
  onPartitionsRevoked?(partitions: readonly TopicPartition[]): void | Promise<void>;
  /** Partitions taken away without a chance to commit (expelled, generation fenced). */
  onPartitionsLost?(partitions: readonly TopicPartition[]): void | Promise<void>;
}

export interface GroupConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly assignor?: AssignorName;
  readonly clientId?: string;
  readonly clientHost?: string;
  /** `session.timeout.ms`. */
  readonly sessionTimeoutMs?: number;
  /** `max.poll.interval.ms`: the rebalance timeout, and how long poll() may go uncalled before this member leaves. */
  readonly rebalanceTimeoutMs?: number;
  /** `heartbeat.interval.ms`. */
  readonly heartbeatIntervalMs?: number;
  /** Where to start a partition the group never committed (or whose commit is out of range). */
  readonly autoOffsetReset?: 'earliest' | 'latest';
  /**
   * Commit the positions of partitions before giving them up (rebalance, close), as the Java
   * consumer does with auto-commit on: the next owner starts where this one stopped.
   */
  readonly commitOnRevoke?: boolean;
  /** The coordinator's clock when absent. */
  readonly clock?: GroupClock;
  readonly listener?: RebalanceListener;
}

export const GROUP_CONSUMER_DEFAULTS = {
  assignor: 'range',
  clientId: 'tapedeck',
  clientHost: 'in-process',
  sessionTimeoutMs: 45_000,
  rebalanceTimeoutMs: 300_000,
  heartbeatIntervalMs: 3000,
  autoOffsetReset: 'latest',
  commitOnRevoke: true,
} as const;

export interface ConsumerRecord extends PartitionRecord {
  readonly topic: string;
  readonly partition: number;
}

export class GroupConsumerError extends Error {
  /** The Kafka error code behind it; null when the consumer itself refused (closed). */
  readonly code: number | null;
  readonly groupId: string;

  constructor(groupId: string, message: string, code: number | null) {
    super(`group ${JSON.stringify(groupId)}: ${message}${code === null ? '' : ` (${groupErrorName(code)})`}`);
    this.name = 'GroupConsumerError';
    this.groupId = groupId;
    this.code = code;
  }
}

function groupByTopic(partitions: readonly TopicPartition[]): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const tp of [...partitions].sort(compareTopicPartitions)) {
    const list = byTopic.get(tp.topic) ?? [];
    list.push(tp.partition);
    byTopic.set(tp.topic, list);
  }
  return [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps }));
}

function flatten(list: readonly TopicPartitions[]): TopicPartition[] {
  return list.flatMap((tp) => tp.partitions.map((partition) => ({ topic: tp.topic, partition })));
}

export class GroupConsumer {
  readonly groupId: string;
  private readonly topics: readonly string[];
  private readonly assignorName: AssignorName;
  private readonly protocol: RebalanceProtocol;
  private readonly clientId: string;
  private readonly clientHost: string;
  private readonly sessionTimeoutMs: number;
  private readonly rebalanceTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly autoOffsetReset: 'earliest' | 'latest';
  private readonly commitOnRevoke: boolean;
  private readonly clock: GroupClock;
  private readonly listener: RebalanceListener;
  private readonly heartbeatTimer: TimerSlot;

  private currentMemberId = '';
  private generation = -1;
  /** Sorted; only these partitions are ever read. */
  private owned: TopicPartition[] = [];
  /** Next offset to read, per owned partition. */
  private readonly positions = new Map<string, number>();
  /** Taken away while no listener could be told; reported before the next join. */
  private lost: TopicPartition[] = [];
  private rejoinNeeded = true;
  private rebalancing: Promise<void> | null = null;
  private closing = false;
  /** Depth of listener callbacks running: they may commit while a rebalance waits on them. */
  private inListener = 0;
  private lastPollAt: number;
  /** Rotates the partition read first, so one busy partition cannot starve the others. */
  private nextPartitionIndex = 0;

  constructor(
    private readonly coordinator: GroupCoordinator,
    private readonly reader: PartitionReader,
    options: GroupConsumerOptions,
  ) {
    this.groupId = options.groupId;
    this.topics = [...new Set(options.topics)].sort();
    this.assignorName = options.assignor ?? GROUP_CONSUMER_DEFAULTS.assignor;
    this.protocol = ASSIGNORS[this.assignorName].protocol;
    this.clientId = options.clientId ?? GROUP_CONSUMER_DEFAULTS.clientId;
    this.clientHost = options.clientHost ?? GROUP_CONSUMER_DEFAULTS.clientHost;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? GROUP_CONSUMER_DEFAULTS.sessionTimeoutMs;
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? GROUP_CONSUMER_DEFAULTS.rebalanceTimeoutMs;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? GROUP_CONSUMER_DEFAULTS.heartbeatIntervalMs;
    this.autoOffsetReset = options.autoOffsetReset ?? GROUP_CONSUMER_DEFAULTS.autoOffsetReset;
    this.commitOnRevoke = options.commitOnRevoke ?? GROUP_CONSUMER_DEFAULTS.commitOnRevoke;
    this.clock = options.clock ?? coordinator.clock;
    this.listener = options.listener ?? {};
    this.heartbeatTimer = new TimerSlot(this.clock);
    this.lastPollAt = this.clock.now();
    // As the Java consumer insists: heartbeats that come slower than the session ends would expel a live member.
    if (this.heartbeatIntervalMs >= this.sessionTimeoutMs) {
      throw new RangeError(`heartbeat interval (${this.heartbeatIntervalMs} ms) must be shorter than the session timeout (${this.sessionTimeoutMs} ms)`);
    }
  }

  get memberId(): string {
    return this.currentMemberId;
  }

  get generationId(): number {
    return this.generation;
  }

  /** The partitions this member owns now, sorted. */
  assignment(): TopicPartition[] {
    return [...this.owned];
  }

  /** The next offset poll() will read from an owned partition. */
  position(topic: string, partition: number): number | undefined {
    return this.positions.get(topicPartitionKey({ topic, partition }));
  }

  /**
   * Joins (or rejoins) the group when needed, then returns up to `maxRecords` records of the owned
   * partitions, each partition's in offset order. Blocks while a rebalance runs.
   */
  async poll(options: { readonly maxRecords?: number } = {}): Promise<ConsumerRecord[]> {
    const maxRecords = options.maxRecords ?? 500;
    this.ensureOpen();
    this.lastPollAt = this.clock.now();
    for (;;) {
      await this.ensureActive();
      this.ensureOpen();
      // Confirm the generation and read in the same synchronous step: nothing can rebalance in between.
      if (this.acceptHeartbeat(this.sendHeartbeat())) return this.fetch(maxRecords);
    }
  }

  /**
   * Commits the given offsets, or the positions of every owned partition. Throws GroupConsumerError
   * when the group moved on (this member was expelled or a rebalance is completing); its
   * partitions are then lost or about to be revoked, and the next poll() rejoins.
   */
  async commit(offsets?: readonly { readonly topic: string; readonly partition: number; readonly offset: number }[]): Promise<void> {
    this.ensureOpen();
    // From inside a listener the rebalance is waiting on us; waiting for it would never end.
    if (this.rebalancing && this.inListener === 0) await this.rebalancing;
    const list = offsets ?? this.positionsOf(this.owned);
    if (list.length === 0) return;
    const result = this.commitOffsets(list);
    if (result.error === E.NONE) return;
    if (result.error === E.REBALANCE_IN_PROGRESS) this.rejoinNeeded = true;
    else if (result.error === E.ILLEGAL_GENERATION || result.error === E.UNKNOWN_MEMBER_ID) this.acceptHeartbeat(result.error);
    throw new GroupConsumerError(this.groupId, 'commit failed', result.error);
  }

  /** Commits what it owns, hands it back, and leaves the group. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.heartbeatTimer.clear();
    const inFlight = this.rebalancing;
    await this.revoke(this.owned);
    // Leaving ends a JoinGroup or SyncGroup still waiting, so an in-flight rebalance finishes now.
    const leftAs = this.currentMemberId;
    if (leftAs !== '') this.coordinator.leaveGroup({ groupId: this.groupId, memberIds: [leftAs] });
    if (inFlight) await inFlight.catch(() => {});
    if (this.currentMemberId !== '' && this.currentMemberId !== leftAs) {
      this.coordinator.leaveGroup({ groupId: this.groupId, memberIds: [this.currentMemberId] });
    }
    this.currentMemberId = '';
    this.generation = -1;
  }

  // ---- Membership -----------------------------------------------------------------------------

  private ensureOpen(): void {
    if (this.closing && this.inListener === 0) throw new GroupConsumerError(this.groupId, 'the consumer is closed', null);
  }

  private async ensureActive(): Promise<void> {
    while (this.rejoinNeeded && !this.closing) {
      this.rebalancing ??= this.rebalance().finally(() => {
        this.rebalancing = null;
      });
      await this.rebalancing;
    }
  }

  private sendHeartbeat(): number {
    return this.coordinator.heartbeat({ groupId: this.groupId, generationId: this.generation, memberId: this.currentMemberId });
  }

  /** True when the membership stands; otherwise records what the error means for the next poll. */
  private acceptHeartbeat(error: number): boolean {
    switch (error) {
      case E.NONE:
        return true;
      case E.REBALANCE_IN_PROGRESS:
        this.rejoinNeeded = true;
        return false;
      case E.ILLEGAL_GENERATION:
        this.losePartitions();
        return false;
      case E.UNKNOWN_MEMBER_ID:
        this.losePartitions();
        this.currentMemberId = '';
        return false;
      default:
        throw new GroupConsumerError(this.groupId, 'the coordinator refused the heartbeat', error);
    }
  }

  /** Fenced: someone else may own these partitions already, so they are dropped without a commit. */
  private losePartitions(): void {
    this.lost.push(...this.owned);
    this.owned = [];
    this.positions.clear();
    this.generation = -1;
    this.rejoinNeeded = true;
    this.heartbeatTimer.clear();
  }

  private async rebalance(): Promise<void> {
    this.heartbeatTimer.clear();
    await this.revokeBeforeJoin();
    for (;;) {
      await this.reportLost();
      if (this.closing) return;
      this.rejoinNeeded = false;
      const join = await this.coordinator.joinGroup({
        groupId: this.groupId,
        memberId: this.currentMemberId,
        clientId: this.clientId,
        clientHost: this.clientHost,
        sessionTimeoutMs: this.sessionTimeoutMs,
        rebalanceTimeoutMs: this.rebalanceTimeoutMs,
        protocolType: 'consumer',
        protocols: [{ name: this.assignorName, metadata: this.subscription() }],
        requireKnownMemberId: true,
      });
      if (this.closing) {
        if (join.error === E.MEMBER_ID_REQUIRED) this.currentMemberId = join.memberId;
        return;
      }
      if (join.error !== E.NONE) {
        this.afterJoinError(join);
        continue;
      }
      this.generation = join.generationId;
      const sync = await this.coordinator.syncGroup({
        groupId: this.groupId,
        generationId: join.generationId,
        memberId: this.currentMemberId,
        protocolType: 'consumer',
        protocolName: join.protocolName,
        assignments: join.leader === join.memberId ? this.assign(join) : undefined,
      });
      if (this.closing) return;
      if (sync.error !== E.NONE) {
        this.afterSyncError(sync.error);
        continue;
      }
      await this.takeAssignment(sync.assignment);
      if (this.closing) return;
      this.scheduleHeartbeat();
      return;
    }
  }

  private afterJoinError(join: JoinGroupResult): void {
    switch (join.error) {
      case E.MEMBER_ID_REQUIRED:
        this.currentMemberId = join.memberId;
        return;
      case E.UNKNOWN_MEMBER_ID:
        this.losePartitions();
        this.currentMemberId = '';
        return;
      case E.ILLEGAL_GENERATION:
        this.losePartitions();
        return;
      case E.REBALANCE_IN_PROGRESS:
        return;
      default:
        throw new GroupConsumerError(this.groupId, 'could not join', join.error);
    }
  }

  private afterSyncError(error: number): void {
    // REBALANCE_IN_PROGRESS: another join phase started; a cooperative member keeps what it owns.
    if (error === E.REBALANCE_IN_PROGRESS) return;
    if (error === E.ILLEGAL_GENERATION || error === E.UNKNOWN_MEMBER_ID) {
      this.acceptHeartbeat(error);
      return;
    }
    throw new GroupConsumerError(this.groupId, 'could not sync', error);
  }

  private subscription(): Buffer {
    // Cooperative members tell the leader what they own, so it can leave it where it is.
    const owned = this.protocol === 'cooperative' ? groupByTopic(this.owned) : [];
    return encodeConsumerSubscription({ topics: this.topics, ownedPartitions: owned });
  }

  /** The leader's job: everyone's subscription in, everyone's assignment out. */
  private assign(join: JoinGroupResult): { memberId: string; assignment: Buffer }[] {
    const name = join.protocolName;
    if (name === null || !isAssignorName(name)) {
      throw new GroupConsumerError(this.groupId, `elected leader for protocol ${JSON.stringify(name)}, which this consumer cannot assign`, null);
    }
    const members: AssignorMember[] = join.members.map((m) => {
      const s = decodeConsumerSubscription(m.metadata);
      // A member whose subscription does not decode gets nothing rather than failing the group.
      return s.kind === 'decoded'
        ? { memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics: s.value.topics, ownedPartitions: flatten(s.value.ownedPartitions) }
        : { memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics: [] };
    });
    const partitionsPerTopic = new Map<string, number>();
    for (const topic of new Set(members.flatMap((m) => m.topics))) {
      const count = this.reader.partitionCount(topic);
      if (count > 0) partitionsPerTopic.set(topic, count);
    }
    const result = ASSIGNORS[name].assign(members, partitionsPerTopic);
    return [...result].map(([memberId, partitions]) => ({
      memberId,
      assignment: encodeConsumerAssignment({ assignedPartitions: groupByTopic(partitions) }),
    }));
  }

  /** Eager protocol: everything goes back before rejoining. */
  private async revokeBeforeJoin(): Promise<void> {
    if (this.protocol === 'eager') await this.revoke(this.owned);
  }

  /**
   * Gives partitions back: commits their positions (unless told not to), tells the listener while
   * they are still owned (so it may commit too, as with Java's onPartitionsRevoked), then drops
   * them. When the generation is already gone the commit fails and the next owner re-reads from
   * the previous commit, which is all a fenced member can offer.
   */
  private async revoke(partitions: readonly TopicPartition[]): Promise<void> {
    if (partitions.length === 0) return;
    if (this.commitOnRevoke) this.commitOffsets(this.positionsOf(partitions));
    await this.callListener(this.listener.onPartitionsRevoked, partitions);
    const gone = new Set(partitions.map(topicPartitionKey));
    this.owned = this.owned.filter((tp) => !gone.has(topicPartitionKey(tp)));
    for (const k of gone) this.positions.delete(k);
  }

  private async callListener(
    callback: ((partitions: readonly TopicPartition[]) => void | Promise<void>) | undefined,
    partitions: readonly TopicPartition[],
  ): Promise<void> {
    if (!callback) return;
    this.inListener++;
    try {
      await callback.call(this.listener, partitions);
    } finally {
      this.inListener--;
    }
  }

  private async takeAssignment(bytes: Buffer): Promise<void> {
    const decoded = decodeConsumerAssignment(bytes);
    const assigned = (decoded.kind === 'decoded' ? flatten(decoded.value.assignedPartitions) : [])
      .filter((tp) => this.topics.includes(tp.topic))
      .sort(compareTopicPartitions);
    const assignedKeys = new Set(assigned.map(topicPartitionKey));
    const ownedKeys = new Set(this.owned.map(topicPartitionKey));
    const revoked = this.owned.filter((tp) => !assignedKeys.has(topicPartitionKey(tp)));
    const added = assigned.filter((tp) => !ownedKeys.has(topicPartitionKey(tp)));

    if (revoked.length > 0) {
      await this.revoke(revoked);
      // The partitions given up can only reach their new owner in another rebalance.
      if (this.protocol === 'cooperative') this.rejoinNeeded = true;
    }
    if (this.closing) return;
    this.initPositions(added);
    this.owned = assigned;
    await this.callListener(this.listener.onPartitionsAssigned, added);
  }

  private async reportLost(): Promise<void> {
    if (this.lost.length === 0) return;
    const lost = this.lost;
    this.lost = [];
    // Java's default: a listener without onPartitionsLost hears of them as revoked.
    await this.callListener(this.listener.onPartitionsLost ?? this.listener.onPartitionsRevoked, lost);
  }

  private scheduleHeartbeat(): void {
    this.heartbeatTimer.set(this.heartbeatIntervalMs, () => this.onHeartbeatTimer());
  }

  private onHeartbeatTimer(): void {
    if (this.closing || this.rebalancing !== null) return;
    if (this.clock.now() - this.lastPollAt > this.rebalanceTimeoutMs && this.currentMemberId !== '') {
      // Nobody has polled for longer than the group waits in a rebalance: hand the partitions to
      // members that will read them, as the Java consumer does on max.poll.interval.ms.
      this.coordinator.leaveGroup({ groupId: this.groupId, memberIds: [this.currentMemberId] });
      this.losePartitions();
      this.currentMemberId = '';
      return;
    }
    const error = this.sendHeartbeat();
    // Fenced or coordinator gone: stop, and let the next poll rejoin or report it.
    if (error !== E.NONE && error !== E.REBALANCE_IN_PROGRESS) {
      if (error === E.ILLEGAL_GENERATION || error === E.UNKNOWN_MEMBER_ID) this.acceptHeartbeat(error);
      return;
    }
    if (error === E.REBALANCE_IN_PROGRESS) this.rejoinNeeded = true;
    this.scheduleHeartbeat();
  }

  // ---- Positions and records ------------------------------------------------------------------

  private positionsOf(partitions: readonly TopicPartition[]): { topic: string; partition: number; offset: number }[] {
    const list: { topic: string; partition: number; offset: number }[] = [];
    for (const tp of partitions) {
      const offset = this.positions.get(topicPartitionKey(tp));
      if (offset !== undefined) list.push({ topic: tp.topic, partition: tp.partition, offset });
    }
    return list;
  }

  private commitOffsets(offsets: readonly { topic: string; partition: number; offset: number }[]): CommitOffsetsResult {
    if (offsets.length === 0) return { error: E.NONE, partitions: [] };
    return this.coordinator.commitOffsets({ groupId: this.groupId, generationId: this.generation, memberId: this.currentMemberId, offsets });
  }

  /** Where newly owned partitions start: the group's commit, else the reset policy. */
  private initPositions(partitions: readonly TopicPartition[]): void {
    if (partitions.length === 0) return;
    const fetched = this.coordinator.fetchOffsets({ groupId: this.groupId, partitions });
    if (fetched.error !== E.NONE) throw new GroupConsumerError(this.groupId, 'could not fetch committed offsets', fetched.error);
    partitions.forEach((tp, i) => {
      const committed = fetched.offsets[i]?.offset ?? -1;
      this.positions.set(topicPartitionKey(tp), committed >= 0 ? committed : this.resetOffset(tp));
    });
  }

  private resetOffset(tp: TopicPartition): number {
    return this.autoOffsetReset === 'earliest' ? this.reader.startOffset(tp.topic, tp.partition) : this.reader.endOffset(tp.topic, tp.partition);
  }

  private fetch(maxRecords: number): ConsumerRecord[] {
    const out: ConsumerRecord[] = [];
    const n = this.owned.length;
    if (n === 0) return out;
    const first = this.nextPartitionIndex % n;
    this.nextPartitionIndex = first + 1;
    for (let i = 0; i < n && out.length < maxRecords; i++) {
      const tp = this.owned[(first + i) % n] as TopicPartition;
      const key = topicPartitionKey(tp);
      let position = this.positions.get(key) ?? this.resetOffset(tp);
      // Out of range (retention removed it, or the log was truncated): start over per the reset policy.
      if (position < this.reader.startOffset(tp.topic, tp.partition) || position > this.reader.endOffset(tp.topic, tp.partition)) {
        position = this.resetOffset(tp);
      }
      const records = this.reader.read(tp.topic, tp.partition, position, maxRecords - out.length);
      // An explicit literal, not a spread: one object shape for every record, built without enumerating fields.
      for (const r of records) {
        out.push({ topic: tp.topic, partition: tp.partition, offset: r.offset, timestamp: r.timestamp, timestampType: r.timestampType, key: r.key, value: r.value, headers: r.headers });
      }
      const last = records[records.length - 1];
      this.positions.set(key, last ? last.offset + 1 : position);
    }
    return out;
  }
}
