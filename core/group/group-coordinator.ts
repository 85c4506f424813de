/**
 * The group coordinator of the classic consumer-group protocol, as a Kafka broker runs it
 * (GroupCoordinator.scala): members join, the join phase waits for every known member, the leader
 * assigns, everyone syncs, heartbeats keep sessions alive, and commits and completed rebalances
 * are written to `__consumer_offsets` in Kafka's format. Transport-independent: the in-process
 * consumer calls it directly, the Kafka wire listener will map requests onto it one to one.
 */
import { randomUUID } from 'node:crypto';
import { ClassicGroup, GroupMember } from './classic-group';
import type { CommittedOffset, OffsetsProjectionWarning } from './committed-offsets';
import type { GroupClock } from './group-clock';
import { systemClock, TimerSlot } from './group-clock';
import type {
  CommitOffsetsRequest,
  CommitOffsetsResult,
  FetchedOffset,
  FetchOffsetsRequest,
  FetchOffsetsResult,
  GroupDescription,
  GroupLag,
  HeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResult,
  LeaveGroupRequest,
  LeaveGroupResult,
  ListedGroup,
  PartitionError,
  SyncGroupRequest,
  SyncGroupResult,
} from './group-coordinator-api';
import { deadGroupDescription, describeClassicGroup, listedGroup } from './group-description';
import { GroupErrorCode } from './group-error-codes';
import { computeGroupLag } from './group-lag';
import type { EndOffsetLookup } from './group-lag';
import { DEFAULT_OFFSETS_PARTITION_COUNT, offsetsPartitionFor } from './group-partition';
import { groupMetadataRecord, offsetCommitRecord } from './group-records';
import type { CommitToStore } from './group-records';
import { restoreGroups } from './group-restore';
import type { RestoredGroup } from './group-restore';
import { InMemoryGroupStore } from './group-store';
import type { GroupStore, OffsetsTopicAppend } from './group-store';

export interface GroupCoordinatorOptions {
  /** Where `__consumer_offsets` lives; an in-memory store when absent (state dies with the process). */
  readonly store?: GroupStore;
  readonly clock?: GroupClock;
  /** `group.initial.rebalance.delay.ms`: how long a group that was empty waits for more members. */
  readonly initialRebalanceDelayMs?: number;
  /** `group.min.session.timeout.ms` and `group.max.session.timeout.ms`. */
  readonly minSessionTimeoutMs?: number;
  readonly maxSessionTimeoutMs?: number;
  /** How long a new member may wait in a join phase without completing it (Kafka: 5 minutes). */
  readonly newMemberJoinTimeoutMs?: number;
  /** `offset.metadata.max.bytes`. */
  readonly maxOffsetMetadataBytes?: number;
  /** `offsets.topic.num.partitions`: decides which partition holds a group. */
  readonly offsetsPartitionCount?: number;
  /** Member ids for new members; Kafka's `clientId-<uuid>` when absent. */
  readonly newMemberId?: (clientId: string) => string;
  /** Told about store failures nobody else hears of (writing the metadata of a group that emptied). */
  readonly onStoreError?: (error: unknown, groupId: string) => void;
}

export const GROUP_COORDINATOR_DEFAULTS = {
  initialRebalanceDelayMs: 3000,
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  newMemberJoinTimeoutMs: 300_000,
  maxOffsetMetadataBytes: 4096,
  offsetsPartitionCount: DEFAULT_OFFSETS_PARTITION_COUNT,
} as const;

const E = GroupErrorCode;
const EMPTY = Buffer.alloc(0);

function joinError(memberId: string, error: GroupErrorCode): JoinGroupResult {
  return { error, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

function syncError(error: GroupErrorCode): SyncGroupResult {
  return { error, protocolType: null, protocolName: null, assignment: EMPTY };
}

function offsetKey(topic: string, partition: number): string {
  return `${partition}\u0000${topic}`;
}

export class GroupCoordinator {
  readonly clock: GroupClock;
  /** Records of the store that did not decode when loading; their groups load without them. */
  readonly loadWarnings: readonly OffsetsProjectionWarning[];
  private readonly store: GroupStore;
  private readonly config: Required<Omit<GroupCoordinatorOptions, 'store' | 'clock' | 'onStoreError'>>;
  private readonly onStoreError: (error: unknown, groupId: string) => void;
  private readonly groups = new Map<string, ClassicGroup>();
  private active = true;

  constructor(options: GroupCoordinatorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.store = options.store ?? new InMemoryGroupStore();
    this.config = {
      initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? GROUP_COORDINATOR_DEFAULTS.initialRebalanceDelayMs,
      minSessionTimeoutMs: options.minSessionTimeoutMs ?? GROUP_COORDINATOR_DEFAULTS.minSessionTimeoutMs,
      maxSessionTimeoutMs: options.maxSessionTimeoutMs ?? GROUP_COORDINATOR_DEFAULTS.maxSessionTimeoutMs,
      newMemberJoinTimeoutMs: options.newMemberJoinTimeoutMs ?? GROUP_COORDINATOR_DEFAULTS.newMemberJoinTimeoutMs,
      maxOffsetMetadataBytes: options.maxOffsetMetadataBytes ?? GROUP_COORDINATOR_DEFAULTS.maxOffsetMetadataBytes,
      offsetsPartitionCount: options.offsetsPartitionCount ?? GROUP_COORDINATOR_DEFAULTS.offsetsPartitionCount,
      newMemberId: options.newMemberId ?? ((clientId) => `${clientId}-${randomUUID()}`),
    };
    this.onStoreError = options.onStoreError ?? (() => {});
    const { groups, warnings } = restoreGroups(this.store);
    this.loadWarnings = warnings;
    for (const g of groups) this.groups.set(g.state.groupId, this.restore(g));
  }

  // ---- JoinGroup ------------------------------------------------------------------------------

  /** Resolves when the join phase ends (or at once with an error). */
  joinGroup(request: JoinGroupRequest): Promise<JoinGroupResult> {
    return new Promise((resolve) => this.handleJoin(request, resolve));
  }

  private handleJoin(req: JoinGroupRequest, respond: (r: JoinGroupResult) => void): void {
    const memberId = req.memberId ?? '';
    if (!this.active) return respond(joinError(memberId, E.COORDINATOR_NOT_AVAILABLE));
    if (req.groupId === '') return respond(joinError(memberId, E.INVALID_GROUP_ID));
    if (req.sessionTimeoutMs < this.config.minSessionTimeoutMs || req.sessionTimeoutMs > this.config.maxSessionTimeoutMs) {
      return respond(joinError(memberId, E.INVALID_SESSION_TIMEOUT));
    }
    let group = this.groups.get(req.groupId);
    if (!group) {
      // A known member id for a group that does not exist belongs to a group that is gone.
      if (memberId !== '') return respond(joinError(memberId, E.UNKNOWN_MEMBER_ID));
      group = new ClassicGroup(req.groupId, this.clock.now(), this.clock);
      this.groups.set(req.groupId, group);
    }
    if (memberId === '') this.joinNewMember(group, req, respond);
    else this.joinKnownMember(group, req, memberId, respond);
    if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
    this.forgetIfUnused(group);
  }

  private joinNewMember(group: ClassicGroup, req: JoinGroupRequest, respond: (r: JoinGroupResult) => void): void {
    if (group.state === 'Dead') return respond(joinError('', E.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols('', req.protocolType, req.protocols)) return respond(joinError('', E.INCONSISTENT_GROUP_PROTOCOL));
    const memberId = this.config.newMemberId(req.clientId);
    if (req.requireKnownMemberId) {
      const timer = new TimerSlot(this.clock);
      group.pendingMembers.set(memberId, timer);
      timer.set(req.sessionTimeoutMs, () => this.expirePendingMember(group, memberId));
      return respond(joinError(memberId, E.MEMBER_ID_REQUIRED));
    }
    this.addMemberAndRebalance(group, req, memberId, respond);
  }

  private joinKnownMember(group: ClassicGroup, req: JoinGroupRequest, memberId: string, respond: (r: JoinGroupResult) => void): void {
    const fail = (error: GroupErrorCode): void => respond(joinError(memberId, error));
    if (group.state === 'Dead') return fail(E.COORDINATOR_NOT_AVAILABLE);
    if (!group.supportsProtocols(memberId, req.protocolType, req.protocols)) return fail(E.INCONSISTENT_GROUP_PROTOCOL);
    if (group.removePending(memberId)) return this.addMemberAndRebalance(group, req, memberId, respond);
    const member = group.get(memberId);
    if (!member) return fail(E.UNKNOWN_MEMBER_ID);
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, req, respond);
      case 'CompletingRebalance':
        // Same metadata: the member lost our answer; send it again rather than start over.
        if (member.matches(req.protocols)) {
          this.touch(group, member);
          return respond(this.joinAnswer(group, member));
        }
        return this.updateMemberAndRebalance(group, member, req, respond);
      case 'Stable':
        // The leader rejoining means it wants to reassign (e.g. topic metadata changed).
        if (group.leaderId === memberId || !member.matches(req.protocols)) return this.updateMemberAndRebalance(group, member, req, respond);
        this.touch(group, member);
        return respond(this.joinAnswer(group, member));
      default:
        return fail(E.UNKNOWN_MEMBER_ID);
    }
  }

  private addMemberAndRebalance(group: ClassicGroup, req: JoinGroupRequest, memberId: string, respond: (r: JoinGroupResult) => void): void {
    const member = new GroupMember(
      memberId,
      {
        groupInstanceId: req.groupInstanceId ?? null,
        clientId: req.clientId,
        clientHost: req.clientHost,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs ?? req.sessionTimeoutMs,
        sessionTimeoutMs: req.sessionTimeoutMs,
        protocolType: req.protocolType,
        protocols: req.protocols,
      },
      this.clock,
    );
    member.isNew = true;
    member.awaitingJoin = respond;
    // Only a brand-new group stretches its initial delay for members that keep arriving.
    if (group.state === 'PreparingRebalance' && group.generationId === 0) group.newMemberAdded = true;
    group.add(member);
    this.touch(group, member, this.config.newMemberJoinTimeoutMs);
    this.maybePrepareRebalance(group);
  }

  private updateMemberAndRebalance(group: ClassicGroup, member: GroupMember, req: JoinGroupRequest, respond: (r: JoinGroupResult) => void): void {
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs ?? req.sessionTimeoutMs;
    // A second JoinGroup supersedes the first; its caller has given up on it, but must not hang.
    member.awaitingJoin?.(joinError(member.memberId, E.REBALANCE_IN_PROGRESS));
    member.awaitingJoin = respond;
    this.touch(group, member);
    this.maybePrepareRebalance(group);
  }

  private maybePrepareRebalance(group: ClassicGroup): void {
    if (group.canRebalance()) this.prepareRebalance(group);
  }

  private prepareRebalance(group: ClassicGroup): void {
    // Members waiting for an assignment of a generation that will never be completed rejoin instead.
    if (group.state === 'CompletingRebalance') this.propagateSyncError(group, E.REBALANCE_IN_PROGRESS);
    group.syncTimer.clear();
    group.pendingSync.clear();
    const wasEmpty = group.state === 'Empty';
    group.transition('PreparingRebalance', this.clock.now());
    if (wasEmpty) {
      group.initialDelayActive = true;
      const delay = this.config.initialRebalanceDelayMs;
      this.scheduleInitialDelay(group, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0));
    } else {
      group.joinTimer.set(group.rebalanceTimeoutMs(), () => this.completeJoin(group));
      // As Kafka's tryCompleteElseWatch: with everyone already in (or nobody left), end it now.
      this.tryCompleteJoin(group);
    }
  }

  /** Kafka's InitialDelayedJoin: never ends early, and waits again while new members keep coming. */
  private scheduleInitialDelay(group: ClassicGroup, delayMs: number, remainingMs: number): void {
    group.joinTimer.set(delayMs, () => {
      if (group.newMemberAdded && remainingMs > 0) {
        group.newMemberAdded = false;
        const next = Math.min(this.config.initialRebalanceDelayMs, remainingMs);
        this.scheduleInitialDelay(group, next, Math.max(remainingMs - next, 0));
        return;
      }
      group.initialDelayActive = false;
      this.completeJoin(group);
    });
  }

  private tryCompleteJoin(group: ClassicGroup): void {
    if (group.state === 'PreparingRebalance' && !group.initialDelayActive && group.hasAllMembersJoined()) this.completeJoin(group);
  }

  /** The join phase ends: drop who did not rejoin, start the next generation, answer every member. */
  private completeJoin(group: ClassicGroup): void {
    group.joinTimer.clear();
    group.initialDelayActive = false;
    group.newMemberAdded = false;
    if (group.state !== 'PreparingRebalance') return;
    for (const m of [...group.members.values()]) if (m.awaitingJoin === null) group.remove(m.memberId);

    const now = this.clock.now();
    group.generationId++;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.transition('Empty', now);
      // Kafka records the empty generation too, so the generation survives a restart.
      try {
        this.append(group, [groupMetadataRecord(group, new Map(), now)]);
      } catch (error) {
        this.onStoreError(error, group.groupId);
      }
      return;
    }
    group.protocolName = group.selectProtocol();
    group.transition('CompletingRebalance', now);
    for (const m of group.members.values()) {
      const respond = m.awaitingJoin;
      m.awaitingJoin = null;
      m.isNew = false;
      group.pendingSync.add(m.memberId);
      this.touch(group, m);
      respond?.(this.joinAnswer(group, m));
    }
    const generation = group.generationId;
    group.syncTimer.set(group.rebalanceTimeoutMs(), () => this.expirePendingSync(group, generation));
  }

  private joinAnswer(group: ClassicGroup, member: GroupMember): JoinGroupResult {
    const isLeader = group.leaderId === member.memberId;
    return {
      error: E.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader ? group.memberMetadata() : [],
    };
  }

  /** Members that got their JoinGroup answer but never sent SyncGroup within the rebalance timeout. */
  private expirePendingSync(group: ClassicGroup, generation: number): void {
    if (generation !== group.generationId) return;
    if (group.state !== 'CompletingRebalance' && group.state !== 'Stable') return;
    for (const memberId of [...group.pendingSync]) {
      const member = group.get(memberId);
      if (member) this.removeMemberAndUpdateGroup(group, member);
    }
  }

  private expirePendingMember(group: ClassicGroup, memberId: string): void {
    if (!group.removePending(memberId)) return;
    if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
    this.forgetIfUnused(group);
  }

  // ---- SyncGroup ------------------------------------------------------------------------------

  /** Resolves with the member's assignment once the leader has sent them all. */
  syncGroup(request: SyncGroupRequest): Promise<SyncGroupResult> {
    return new Promise((resolve) => this.handleSync(request, resolve));
  }

  private handleSync(req: SyncGroupRequest, respond: (r: SyncGroupResult) => void): void {
    if (!this.active) return respond(syncError(E.COORDINATOR_NOT_AVAILABLE));
    if (req.groupId === '') return respond(syncError(E.INVALID_GROUP_ID));
    const group = this.groups.get(req.groupId);
    if (!group) return respond(syncError(E.UNKNOWN_MEMBER_ID));
    if (group.state === 'Dead') return respond(syncError(E.COORDINATOR_NOT_AVAILABLE));
    const member = group.get(req.memberId);
    if (!member) return respond(syncError(E.UNKNOWN_MEMBER_ID));
    if (req.generationId !== group.generationId) return respond(syncError(E.ILLEGAL_GENERATION));
    if ((req.protocolType != null && req.protocolType !== group.protocolType) || (req.protocolName != null && req.protocolName !== group.protocolName)) {
      return respond(syncError(E.INCONSISTENT_GROUP_PROTOCOL));
    }
    switch (group.state) {
      case 'PreparingRebalance':
        return respond(syncError(E.REBALANCE_IN_PROGRESS));
      case 'CompletingRebalance':
        member.awaitingSync?.(syncError(E.REBALANCE_IN_PROGRESS));
        member.awaitingSync = respond;
        group.pendingSync.delete(member.memberId);
        this.touch(group, member);
        if (member.memberId === group.leaderId) this.completeSync(group, req.assignments ?? []);
        return;
      case 'Stable':
        group.pendingSync.delete(member.memberId);
        this.touch(group, member);
        return respond({ error: E.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment });
      default:
        return respond(syncError(E.UNKNOWN_MEMBER_ID));
    }
  }

  /** The leader's assignments arrive: store the generation, then hand every member its part. */
  private completeSync(group: ClassicGroup, list: readonly { memberId: string; assignment: Buffer }[]): void {
    const assignments = new Map<string, Buffer>();
    for (const memberId of group.members.keys()) assignments.set(memberId, EMPTY);
    for (const a of list) if (assignments.has(a.memberId)) assignments.set(a.memberId, a.assignment);
    const now = this.clock.now();
    try {
      this.append(group, [groupMetadataRecord(group, assignments, now)]);
    } catch (error) {
      this.onStoreError(error, group.groupId);
      this.propagateSyncError(group, E.COORDINATOR_NOT_AVAILABLE);
      this.prepareRebalance(group);
      return;
    }
    for (const m of group.members.values()) {
      m.assignment = assignments.get(m.memberId) ?? EMPTY;
      const respond = m.awaitingSync;
      m.awaitingSync = null;
      respond?.({ error: E.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: m.assignment });
    }
    group.transition('Stable', now);
  }

  private propagateSyncError(group: ClassicGroup, error: GroupErrorCode): void {
    for (const m of group.members.values()) {
      m.assignment = EMPTY;
      const respond = m.awaitingSync;
      m.awaitingSync = null;
      respond?.(syncError(error));
    }
  }

  // ---- Heartbeat and LeaveGroup ---------------------------------------------------------------

  heartbeat(req: HeartbeatRequest): GroupErrorCode {
    if (!this.active) return E.COORDINATOR_NOT_AVAILABLE;
    if (req.groupId === '') return E.INVALID_GROUP_ID;
    const group = this.groups.get(req.groupId);
    if (!group) return E.UNKNOWN_MEMBER_ID;
    if (group.state === 'Dead') return E.COORDINATOR_NOT_AVAILABLE;
    const member = group.get(req.memberId);
    if (!member) return E.UNKNOWN_MEMBER_ID;
    if (req.generationId !== group.generationId) return E.ILLEGAL_GENERATION;
    this.touch(group, member);
    // In CompletingRebalance the member has its JoinGroup answer; it is as good as stable.
    return group.state === 'PreparingRebalance' ? E.REBALANCE_IN_PROGRESS : E.NONE;
  }

  leaveGroup(req: LeaveGroupRequest): LeaveGroupResult {
    const each = (error: GroupErrorCode): LeaveGroupResult['members'] => req.memberIds.map((memberId) => ({ memberId, error }));
    if (!this.active) return { error: E.COORDINATOR_NOT_AVAILABLE, members: each(E.COORDINATOR_NOT_AVAILABLE) };
    if (req.groupId === '') return { error: E.INVALID_GROUP_ID, members: each(E.INVALID_GROUP_ID) };
    const group = this.groups.get(req.groupId);
    if (!group) return { error: E.NONE, members: each(E.UNKNOWN_MEMBER_ID) };
    const members = req.memberIds.map((memberId) => {
      if (group.removePending(memberId)) {
        if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
        return { memberId, error: E.NONE };
      }
      const member = group.get(memberId);
      if (!member) return { memberId, error: E.UNKNOWN_MEMBER_ID };
      this.removeMemberAndUpdateGroup(group, member);
      return { memberId, error: E.NONE };
    });
    this.forgetIfUnused(group);
    return { error: E.NONE, members };
  }

  /** A member leaves, is expelled or times out: its pending requests end and the group rebalances. */
  private removeMemberAndUpdateGroup(group: ClassicGroup, member: GroupMember): void {
    const join = member.awaitingJoin;
    const sync = member.awaitingSync;
    member.awaitingJoin = null;
    member.awaitingSync = null;
    join?.(joinError(member.memberId, E.UNKNOWN_MEMBER_ID));
    sync?.(syncError(E.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(group);
    else if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
  }

  /** (Re)starts a member's session; when it runs out without another request, the member is expelled. */
  private touch(group: ClassicGroup, member: GroupMember, timeoutMs = member.sessionTimeoutMs): void {
    member.session.set(timeoutMs, () => this.onSessionExpired(group, member));
  }

  private onSessionExpired(group: ClassicGroup, member: GroupMember): void {
    if (group.get(member.memberId) !== member) return;
    // A member blocked in JoinGroup or SyncGroup is waiting on us, not gone; a new member gets
    // only the new-member timeout to see its first join through.
    if (!member.isNew && (member.awaitingJoin !== null || member.awaitingSync !== null)) {
      this.touch(group, member);
      return;
    }
    this.removeMemberAndUpdateGroup(group, member);
  }

  // ---- Offsets --------------------------------------------------------------------------------

  commitOffsets(req: CommitOffsetsRequest): CommitOffsetsResult {
    for (const o of req.offsets) {
      if (!Number.isSafeInteger(o.offset) || !Number.isInteger(o.partition)) {
        throw new RangeError(`commit of ${o.topic}-${o.partition} for group ${JSON.stringify(req.groupId)}: offset ${o.offset} is not an integer`);
      }
    }
    const all = (error: GroupErrorCode): CommitOffsetsResult => result(req.offsets.map((o) => ({ topic: o.topic, partition: o.partition, error })));
    if (!this.active) return all(E.COORDINATOR_NOT_AVAILABLE);
    let group = this.groups.get(req.groupId);
    if (!group) {
      // Only a group that does not use group management (generation -1) may appear with a commit.
      if (req.generationId >= 0) return all(E.ILLEGAL_GENERATION);
      group = new ClassicGroup(req.groupId, this.clock.now(), this.clock);
      this.groups.set(req.groupId, group);
    }
    const error = this.validateCommit(group, req);
    if (error !== E.NONE) {
      this.forgetIfUnused(group);
      return all(error);
    }
    const member = group.get(req.memberId);
    if (member) this.touch(group, member);

    const now = this.clock.now();
    const expireTimestamp = req.retentionTimeMs !== undefined && req.retentionTimeMs !== -1 ? now + req.retentionTimeMs : -1;
    const errors: PartitionError[] = [];
    const accepted: CommitToStore[] = [];
    for (const o of req.offsets) {
      const metadata = o.metadata ?? '';
      if (Buffer.byteLength(metadata, 'utf8') > this.config.maxOffsetMetadataBytes) {
        errors.push({ topic: o.topic, partition: o.partition, error: E.OFFSET_METADATA_TOO_LARGE });
        continue;
      }
      accepted.push({ topic: o.topic, partition: o.partition, offset: o.offset, leaderEpoch: o.leaderEpoch ?? -1, metadata, commitTimestamp: now, expireTimestamp });
      errors.push({ topic: o.topic, partition: o.partition, error: E.NONE });
    }
    if (accepted.length > 0) {
      try {
        this.append(group, accepted.map((c) => offsetCommitRecord(group.groupId, c, now)));
      } catch (e) {
        this.onStoreError(e, group.groupId);
        this.forgetIfUnused(group);
        return result(errors.map((p) => (p.error === E.NONE ? { ...p, error: E.COORDINATOR_NOT_AVAILABLE } : p)));
      }
      for (const c of accepted) group.offsets.set(offsetKey(c.topic, c.partition), c satisfies CommittedOffset);
    }
    return result(errors);
  }

  /** Kafka's validateOffsetCommit plus the state check that follows it. */
  private validateCommit(group: ClassicGroup, req: CommitOffsetsRequest): GroupErrorCode {
    if (group.state === 'Dead') return E.COORDINATOR_NOT_AVAILABLE;
    if (req.generationId >= 0 || req.memberId !== '') {
      const member = group.get(req.memberId);
      if (!member) return E.UNKNOWN_MEMBER_ID;
      if (req.generationId !== group.generationId) return E.ILLEGAL_GENERATION;
    } else if (group.state !== 'Empty') {
      // A standalone commit would race the members' own.
      return E.UNKNOWN_MEMBER_ID;
    }
    // The member has its new generation but not its assignment: it cannot know what it owns.
    if (group.state === 'CompletingRebalance') return E.REBALANCE_IN_PROGRESS;
    return E.NONE;
  }

  fetchOffsets(req: FetchOffsetsRequest): FetchOffsetsResult {
    const none = (topic: string, partition: number, error: GroupErrorCode): FetchedOffset => ({ topic, partition, offset: -1, leaderEpoch: -1, metadata: '', error });
    const wanted = req.partitions ?? null;
    if (!this.active) return { error: E.COORDINATOR_NOT_AVAILABLE, offsets: (wanted ?? []).map((p) => none(p.topic, p.partition, E.COORDINATOR_NOT_AVAILABLE)) };
    const group = this.groups.get(req.groupId);
    const toFetched = (o: CommittedOffset): FetchedOffset => ({
      topic: o.topic,
      partition: o.partition,
      offset: o.offset,
      leaderEpoch: o.leaderEpoch,
      metadata: o.metadata,
      error: E.NONE,
    });
    if (wanted === null) {
      const offsets = group ? [...group.offsets.values()].map(toFetched) : [];
      offsets.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
      return { error: E.NONE, offsets };
    }
    return {
      error: E.NONE,
      offsets: wanted.map((p) => {
        const o = group?.offsets.get(offsetKey(p.topic, p.partition));
        return o ? toFetched(o) : none(p.topic, p.partition, E.NONE);
      }),
    };
  }

  // ---- Inspection -----------------------------------------------------------------------------

  listGroups(): ListedGroup[] {
    return [...this.groups.values()].map(listedGroup).sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  describeGroup(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    return group ? describeClassicGroup(group) : deadGroupDescription(groupId);
  }

  /** Committed offsets against the given log end offsets, plus partitions assigned but not yet committed. */
  lag(groupId: string, endOffset: EndOffsetLookup): GroupLag {
    const group = this.groups.get(groupId);
    return group ? computeGroupLag(group, endOffset) : { groupId, partitions: [], totalLag: 0 };
  }

  /**
   * Stops the coordinator (the broker resigning as coordinator): timers stop, waiting JoinGroup and
   * SyncGroup calls end with NOT_COORDINATOR, later calls get COORDINATOR_NOT_AVAILABLE. The
   * store keeps everything a new coordinator needs.
   */
  close(): void {
    if (!this.active) return;
    this.active = false;
    for (const group of this.groups.values()) {
      group.joinTimer.clear();
      group.syncTimer.clear();
      for (const timer of group.pendingMembers.values()) timer.clear();
      for (const m of group.members.values()) {
        m.session.clear();
        const join = m.awaitingJoin;
        const sync = m.awaitingSync;
        m.awaitingJoin = null;
        m.awaitingSync = null;
        join?.(joinError(m.memberId, E.NOT_COORDINATOR));
        sync?.(syncError(E.NOT_COORDINATOR));
      }
    }
  }

  // ---- Storage --------------------------------------------------------------------------------

  private append(group: ClassicGroup, records: readonly OffsetsTopicAppend[]): void {
    this.store.appendOffsetsTopicRecords(offsetsPartitionFor(group.groupId, this.config.offsetsPartitionCount), records);
  }

  /** A group created by a request that then failed leaves no trace, as if never asked for. */
  private forgetIfUnused(group: ClassicGroup): void {
    if (group.isForgettable() && this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
  }

  /**
   * A group as the store left it. Members of the last generation come back Stable with fresh
   * sessions, as in Kafka: they may carry on heartbeating, and expire if they do not.
   */
  private restore({ state, members }: RestoredGroup): ClassicGroup {
    const now = this.clock.now();
    const group = new ClassicGroup(state.groupId, now, this.clock);
    for (const o of state.offsets) group.offsets.set(offsetKey(o.topic, o.partition), o);
    if (!state.hasMetadata) return group;
    group.generationId = state.generation ?? 0;
    group.protocolType = state.protocolType === '' ? null : state.protocolType;
    group.protocolName = state.protocol;
    if (state.currentStateTimestamp !== null && state.currentStateTimestamp >= 0) group.currentStateTimestamp = state.currentStateTimestamp;
    const protocol = state.protocol;
    if (protocol === null || members.length === 0) return group;
    for (const m of members) {
      const member = new GroupMember(
        m.memberId,
        {
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          // v0 records have no rebalance timeout; Kafka uses the session timeout then.
          rebalanceTimeoutMs: m.rebalanceTimeout >= 0 ? m.rebalanceTimeout : m.sessionTimeout,
          sessionTimeoutMs: m.sessionTimeout,
          protocolType: state.protocolType ?? '',
          protocols: [{ name: protocol, metadata: m.subscription }],
        },
        this.clock,
      );
      member.assignment = m.assignment;
      group.members.set(m.memberId, member);
    }
    group.leaderId = state.leader !== null && group.members.has(state.leader) ? state.leader : ([...group.members.keys()][0] ?? null);
    group.state = 'Stable';
    for (const m of group.members.values()) this.touch(group, m);
    return group;
  }
}

function result(partitions: PartitionError[]): CommitOffsetsResult {
  return { error: partitions.find((p) => p.error !== E.NONE)?.error ?? E.NONE, partitions };
}
