/**
 * One group of the classic protocol, as the coordinator holds it: members, generation, chosen
 * protocol and state (Kafka's GroupMetadata / ClassicGroup). It keeps the bookkeeping and the
 * state machine; the coordinator decides what happens when.
 */
import type { CommittedOffset } from './committed-offsets';
import type { GroupClock } from './group-clock';
import { TimerSlot } from './group-clock';
import type { GroupState, JoinGroupMember, JoinGroupProtocol, JoinGroupResult, SyncGroupResult } from './group-coordinator-api';

export class GroupMember {
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: readonly JoinGroupProtocol[];
  /** What the leader gave this member in the current generation. */
  assignment: Buffer = Buffer.alloc(0);
  /** Set while the member's JoinGroup waits for the join phase to end. */
  awaitingJoin: ((result: JoinGroupResult) => void) | null = null;
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  awaitingSync: ((result: SyncGroupResult) => void) | null = null;
  /** Joined but not yet through a completed join phase: expires on the new-member timeout instead. */
  isNew = false;
  /** The session: expires unless a heartbeat (or any other request) re-arms it. */
  readonly session: TimerSlot;

  constructor(
    readonly memberId: string,
    fields: {
      groupInstanceId: string | null;
      clientId: string;
      clientHost: string;
      rebalanceTimeoutMs: number;
      sessionTimeoutMs: number;
      protocolType: string;
      protocols: readonly JoinGroupProtocol[];
    },
    clock: GroupClock,
  ) {
    this.groupInstanceId = fields.groupInstanceId;
    this.clientId = fields.clientId;
    this.clientHost = fields.clientHost;
    this.rebalanceTimeoutMs = fields.rebalanceTimeoutMs;
    this.sessionTimeoutMs = fields.sessionTimeoutMs;
    this.protocolType = fields.protocolType;
    this.protocols = fields.protocols;
    this.session = new TimerSlot(clock);
  }

  supports(protocol: string): boolean {
    return this.protocols.some((p) => p.name === protocol);
  }

  metadataFor(protocol: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
  }

  /** Same protocols with the same metadata, in the same order: rejoining with them changes nothing. */
  matches(protocols: readonly JoinGroupProtocol[]): boolean {
    return (
      protocols.length === this.protocols.length &&
      protocols.every((p, i) => p.name === this.protocols[i]?.name && p.metadata.equals(this.protocols[i].metadata))
    );
  }
}

/** Kafka's allowed transitions: the state a group may come from, per state it goes to. */
const VALID_PREVIOUS: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'],
};

export class ClassicGroup {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  currentStateTimestamp: number;
  /** Insertion order: the first member to join leads when the leader leaves. */
  readonly members = new Map<string, GroupMember>();
  /** Ids handed out with MEMBER_ID_REQUIRED, each expiring unless the member joins with it. */
  readonly pendingMembers = new Map<string, TimerSlot>();
  /** Members that got their JoinGroup answer but have not sent SyncGroup yet. */
  readonly pendingSync = new Set<string>();
  /** Keyed by topicPartitionKey. */
  readonly offsets = new Map<string, CommittedOffset>();
  /** A member joined during the initial delay of a brand-new group, which then waits once more. */
  newMemberAdded = false;
  /** Set while an initial rebalance delay runs: the join phase may not end early then. */
  initialDelayActive = false;
  /** Ends the join phase (rebalance timeout or initial delay). */
  readonly joinTimer: TimerSlot;
  /** Expels members that never send SyncGroup after the join phase. */
  readonly syncTimer: TimerSlot;

  constructor(
    readonly groupId: string,
    now: number,
    clock: GroupClock,
  ) {
    this.currentStateTimestamp = now;
    this.joinTimer = new TimerSlot(clock);
    this.syncTimer = new TimerSlot(clock);
  }

  transition(to: GroupState, now: number): void {
    if (!VALID_PREVIOUS[to].includes(this.state)) {
      throw new Error(`group ${JSON.stringify(this.groupId)} cannot go from ${this.state} to ${to}`);
    }
    this.state = to;
    this.currentStateTimestamp = now;
  }

  get(memberId: string): GroupMember | undefined {
    return this.members.get(memberId);
  }

  add(member: GroupMember): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    this.leaderId ??= member.memberId;
  }

  remove(memberId: string): void {
    const member = this.members.get(memberId);
    member?.session.clear();
    this.members.delete(memberId);
    this.pendingSync.delete(memberId);
    if (this.leaderId === memberId) {
      // Prefer a member that has already rejoined, so a join phase can end with a leader that is present.
      const next = [...this.members.values()];
      this.leaderId = (next.find((m) => m.awaitingJoin !== null) ?? next[0])?.memberId ?? null;
    }
  }

  removePending(memberId: string): boolean {
    const timer = this.pendingMembers.get(memberId);
    if (!timer) return false;
    timer.clear();
    this.pendingMembers.delete(memberId);
    return true;
  }

  canRebalance(): boolean {
    return this.state === 'Stable' || this.state === 'CompletingRebalance' || this.state === 'Empty';
  }

  hasAllMembersJoined(): boolean {
    for (const m of this.members.values()) if (m.awaitingJoin === null) return false;
    return this.pendingMembers.size === 0;
  }

  /** The longest rebalance timeout of the members: how long the join phase may wait for them. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /**
   * Whether a member may join with these protocols: the group's protocol type, and at least one
   * protocol every other member supports. The member's own earlier protocols do not count, so a
   * lone member may switch.
   */
  supportsProtocols(memberId: string, protocolType: string, protocols: readonly JoinGroupProtocol[]): boolean {
    const others = [...this.members.values()].filter((m) => m.memberId !== memberId);
    if (protocolType === '' || protocols.length === 0) return false;
    if (others.length === 0) return true;
    return protocolType === this.protocolType && protocols.some((p) => others.every((m) => m.supports(p.name)));
  }

  /**
   * Kafka's vote: among the protocols every member supports, each member votes for the first one
   * in its own preference order and the most votes win; ties go to the leader's preference.
   */
  selectProtocol(): string {
    const all = [...this.members.values()];
    const leader = (this.leaderId !== null ? this.members.get(this.leaderId) : undefined) ?? all[0];
    const candidates = (leader?.protocols ?? []).map((p) => p.name).filter((name) => all.every((m) => m.supports(name)));
    if (candidates.length === 0) throw new Error(`group ${JSON.stringify(this.groupId)} has no protocol all members support`);
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of all) {
      const vote = m.protocols.find((p) => votes.has(p.name))?.name;
      if (vote !== undefined) votes.set(vote, (votes.get(vote) ?? 0) + 1);
    }
    let best = candidates[0] as string;
    for (const c of candidates) if ((votes.get(c) ?? 0) > (votes.get(best) ?? 0)) best = c;
    return best;
  }

  /** What the leader's JoinGroup answer lists: every member with its metadata for the chosen protocol. */
  memberMetadata(): JoinGroupMember[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadataFor(this.protocolName),
    }));
  }

  /** True when nothing about the group is worth keeping: never had a generation, members or offsets. */
  isForgettable(): boolean {
    return (
      this.state === 'Empty' &&
      this.generationId === 0 &&
      this.members.size === 0 &&
      this.pendingMembers.size === 0 &&
      this.offsets.size === 0
    );
  }
}
