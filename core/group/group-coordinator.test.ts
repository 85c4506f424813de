import { describe, expect, it } from 'vitest';
import { CommittedOffsetsProjection } from './committed-offsets';
import { encodeConsumerAssignment, encodeConsumerSubscription } from './consumer-protocol-encoder';
import { GroupCoordinator } from './group-coordinator';
import type { GroupCoordinatorOptions } from './group-coordinator';
import type { JoinGroupRequest, JoinGroupResult } from './group-coordinator-api';
import { GroupErrorCode as E, groupErrorName } from './group-error-codes';
import { offsetsPartitionFor } from './group-partition';
import { InMemoryGroupStore } from './group-store';
import type { GroupStore } from './group-store';
import { ManualClock, settle } from './manual-clock.test-support';
import { decodeGroupMetadataValue, decodeOffsetCommitValue, decodeOffsetsTopicKey } from './offsets-topic-records';

const DELAY = 100;
/** Members joining a new group during its initial delay stretch it once more (Kafka's InitialDelayedJoin). */
const FIRST_JOIN = 2 * DELAY;
const SESSION = 1000;
const REBALANCE = 2000;

function setup(options: GroupCoordinatorOptions = {}) {
  const clock = new ManualClock();
  const store = new InMemoryGroupStore();
  let n = 0;
  const coordinator = new GroupCoordinator({
    clock,
    store,
    initialRebalanceDelayMs: DELAY,
    minSessionTimeoutMs: 10,
    newMemberId: (clientId) => `${clientId}-${++n}`,
    ...options,
  });
  return { clock, store, coordinator };
}

const subscription = (...topics: string[]): Buffer => encodeConsumerSubscription({ topics });

function request(groupId: string, memberId = '', over: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId,
    memberId,
    clientId: 'c',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: SESSION,
    rebalanceTimeoutMs: REBALANCE,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription('t') }],
    ...over,
  };
}

/** A promise's outcome so far, without waiting for it. */
function peek<T>(p: Promise<T>): { value: T | undefined } {
  const box: { value: T | undefined } = { value: undefined };
  void p.then((v) => (box.value = v));
  return box;
}

/** Joins `count` members to a new group, syncs them with the given assignments, and returns them. */
async function stableGroup(coordinator: GroupCoordinator, clock: ManualClock, groupId: string, count: number) {
  const joins = Array.from({ length: count }, () => coordinator.joinGroup(request(groupId)));
  await clock.advance(FIRST_JOIN);
  const results = await Promise.all(joins);
  const leader = results.find((r) => r.leader === r.memberId) as JoinGroupResult;
  const syncs = results.map((r) =>
    coordinator.syncGroup({
      groupId,
      generationId: r.generationId,
      memberId: r.memberId,
      assignments:
        r === leader ? results.map((m, i) => ({ memberId: m.memberId, assignment: encodeConsumerAssignment({ assignedPartitions: [{ topic: 't', partitions: [i] }] }) })) : undefined,
    }),
  );
  await Promise.all(syncs);
  return results;
}

describe('JoinGroup and SyncGroup', () => {
  it('holds the first join for the initial rebalance delay, then makes the member leader of generation 1', async () => {
    const { clock, coordinator } = setup({ newMemberId: undefined });
    const join = peek(coordinator.joinGroup(request('g')));
    await clock.advance(DELAY - 1);
    expect(join.value).toBeUndefined();
    expect(coordinator.describeGroup('g').state).toBe('PreparingRebalance');
    await clock.advance(1);
    const r = join.value as JoinGroupResult;
    expect(r.error).toBe(E.NONE);
    expect(r.memberId).toMatch(/^c-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(r).toMatchObject({ generationId: 1, protocolType: 'consumer', protocolName: 'range', leader: r.memberId });
    expect(r.members).toEqual([{ memberId: r.memberId, groupInstanceId: null, metadata: subscription('t') }]);
    expect(coordinator.describeGroup('g').state).toBe('CompletingRebalance');
  });

  it('gathers members joining during the delay into one generation; followers wait for the leader', async () => {
    const { clock, coordinator } = setup();
    const joins = [coordinator.joinGroup(request('g')), coordinator.joinGroup(request('g'))];
    await clock.advance(FIRST_JOIN);
    const [a, b] = (await Promise.all(joins)) as [JoinGroupResult, JoinGroupResult];
    expect(a.generationId).toBe(1);
    expect(b.generationId).toBe(1);
    expect(a.leader).toBe(a.memberId);
    expect(b.leader).toBe(a.memberId);
    expect(a.members.map((m) => m.memberId)).toEqual([a.memberId, b.memberId]);
    expect(b.members).toEqual([]);

    const follower = peek(coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: b.memberId }));
    await settle();
    expect(follower.value).toBeUndefined();
    const assignment = encodeConsumerAssignment({ assignedPartitions: [{ topic: 't', partitions: [1] }] });
    const leader = await coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: a.memberId, assignments: [{ memberId: b.memberId, assignment }] });
    await settle();
    expect(leader).toEqual({ error: E.NONE, protocolType: 'consumer', protocolName: 'range', assignment: Buffer.alloc(0) });
    expect(follower.value?.assignment.equals(assignment)).toBe(true);
    const description = coordinator.describeGroup('g');
    expect(description).toMatchObject({ state: 'Stable', generationId: 1, protocol: 'range', leader: a.memberId });
    expect(description.members[1]?.decodedAssignment).toEqual({
      kind: 'decoded',
      value: { version: 1, assignedPartitions: [{ topic: 't', partitions: [1] }], userData: null },
    });
  });

  it('a new member starts a rebalance that ends as soon as every known member has rejoined', async () => {
    const { clock, coordinator } = setup();
    const [a, b] = (await stableGroup(coordinator, clock, 'g', 2)) as [JoinGroupResult, JoinGroupResult];
    const c = peek(coordinator.joinGroup(request('g')));
    await settle();
    expect(coordinator.describeGroup('g').state).toBe('PreparingRebalance');
    expect(coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId })).toBe(E.REBALANCE_IN_PROGRESS);
    const ra = peek(coordinator.joinGroup(request('g', a.memberId)));
    await settle();
    expect(c.value).toBeUndefined();
    const rb = await coordinator.joinGroup(request('g', b.memberId));
    await settle();
    expect(rb.generationId).toBe(2);
    expect(ra.value?.leader).toBe(a.memberId);
    expect(ra.value?.members).toHaveLength(3);
    expect(c.value?.generationId).toBe(2);
  });

  it('drops members that do not rejoin within the rebalance timeout', async () => {
    const { clock, coordinator } = setup();
    const [a, b] = (await stableGroup(coordinator, clock, 'g', 2)) as [JoinGroupResult, JoinGroupResult];
    const rejoin = peek(coordinator.joinGroup(request('g', a.memberId)));
    // b keeps its session alive but never rejoins.
    for (let t = 0; t < REBALANCE; t += SESSION / 2) {
      expect(coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId })).toBe(E.REBALANCE_IN_PROGRESS);
      await clock.advance(SESSION / 2);
    }
    expect(rejoin.value).toMatchObject({ error: E.NONE, generationId: 2, leader: a.memberId });
    expect(rejoin.value?.members.map((m) => m.memberId)).toEqual([a.memberId]);
    expect(coordinator.heartbeat({ groupId: 'g', generationId: 2, memberId: b.memberId })).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('chooses the protocol every member supports, by vote', async () => {
    const { clock, coordinator } = setup();
    const meta = subscription('t');
    const joins = [
      coordinator.joinGroup(request('g', '', { protocols: [{ name: 'range', metadata: meta }, { name: 'roundrobin', metadata: meta }] })),
      coordinator.joinGroup(request('g', '', { protocols: [{ name: 'roundrobin', metadata: meta }, { name: 'range', metadata: meta }] })),
      coordinator.joinGroup(request('g', '', { protocols: [{ name: 'roundrobin', metadata: meta }] })),
    ];
    await clock.advance(FIRST_JOIN);
    for (const r of await Promise.all(joins)) expect(r.protocolName).toBe('roundrobin');
  });

  it('rejects a member whose protocols or protocol type the group does not share (INCONSISTENT_GROUP_PROTOCOL)', async () => {
    const { clock, coordinator } = setup();
    await stableGroup(coordinator, clock, 'g', 1);
    const other = await coordinator.joinGroup(request('g', '', { protocols: [{ name: 'cooperative-sticky', metadata: subscription('t') }] }));
    expect(other.error).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    const connect = await coordinator.joinGroup(request('g', '', { protocolType: 'connect' }));
    expect(connect.error).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    expect((await coordinator.joinGroup(request('fresh', '', { protocols: [] }))).error).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    expect((await coordinator.joinGroup(request('fresh', '', { protocolType: '' }))).error).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    // A failed first join leaves no group behind.
    expect(coordinator.listGroups().map((g) => g.groupId)).toEqual(['g']);
  });

  it('hands out the member id first when asked to (MEMBER_ID_REQUIRED), then joins with it', async () => {
    const { clock, coordinator } = setup();
    const first = await coordinator.joinGroup(request('g', '', { requireKnownMemberId: true }));
    expect(first).toMatchObject({ error: E.MEMBER_ID_REQUIRED, memberId: 'c-1', generationId: -1 });
    const second = coordinator.joinGroup(request('g', first.memberId));
    await clock.advance(DELAY);
    expect(await second).toMatchObject({ error: E.NONE, memberId: 'c-1', leader: 'c-1', generationId: 1 });
  });

  it('forgets a pending member id that is not used within the session timeout', async () => {
    const { clock, coordinator } = setup();
    const first = await coordinator.joinGroup(request('g', '', { requireKnownMemberId: true }));
    await clock.advance(SESSION);
    expect((await coordinator.joinGroup(request('g', first.memberId))).error).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('answers a rejoin with unchanged metadata in a stable group without a rebalance', async () => {
    const { clock, coordinator } = setup();
    const [, b] = (await stableGroup(coordinator, clock, 'g', 2)) as [JoinGroupResult, JoinGroupResult];
    const again = await coordinator.joinGroup(request('g', b.memberId));
    expect(again).toMatchObject({ error: E.NONE, generationId: 1, members: [] });
    expect(coordinator.describeGroup('g').state).toBe('Stable');
  });
});

describe('errors as Kafka error codes', () => {
  it('for unknown members, wrong generations and requests during a rebalance', async () => {
    const { clock, coordinator } = setup();
    const [a] = (await stableGroup(coordinator, clock, 'g', 1)) as [JoinGroupResult];
    expect(coordinator.heartbeat({ groupId: 'nope', generationId: 1, memberId: a.memberId })).toBe(E.UNKNOWN_MEMBER_ID);
    expect(coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: 'stranger' })).toBe(E.UNKNOWN_MEMBER_ID);
    expect(coordinator.heartbeat({ groupId: 'g', generationId: 7, memberId: a.memberId })).toBe(E.ILLEGAL_GENERATION);
    expect(coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId })).toBe(E.NONE);
    expect((await coordinator.syncGroup({ groupId: 'g', generationId: 0, memberId: a.memberId })).error).toBe(E.ILLEGAL_GENERATION);
    expect((await coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: 'x' })).error).toBe(E.UNKNOWN_MEMBER_ID);
    expect((await coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: a.memberId, protocolName: 'roundrobin' })).error).toBe(
      E.INCONSISTENT_GROUP_PROTOCOL,
    );
    expect((await coordinator.joinGroup(request('g', 'stranger'))).error).toBe(E.UNKNOWN_MEMBER_ID);
    expect((await coordinator.joinGroup(request('nope', 'stranger'))).error).toBe(E.UNKNOWN_MEMBER_ID);
    expect((await coordinator.joinGroup(request(''))).error).toBe(E.INVALID_GROUP_ID);
    expect((await coordinator.joinGroup(request('g', '', { sessionTimeoutMs: 1 }))).error).toBe(E.INVALID_SESSION_TIMEOUT);

    const commit = (generationId: number, memberId: string) =>
      coordinator.commitOffsets({ groupId: 'g', generationId, memberId, offsets: [{ topic: 't', partition: 0, offset: 1 }] }).error;
    expect(commit(2, a.memberId)).toBe(E.ILLEGAL_GENERATION);
    expect(commit(1, 'stranger')).toBe(E.UNKNOWN_MEMBER_ID);
    expect(commit(-1, '')).toBe(E.UNKNOWN_MEMBER_ID);
    expect(coordinator.commitOffsets({ groupId: 'new', generationId: 3, memberId: 'x', offsets: [{ topic: 't', partition: 0, offset: 1 }] }).error).toBe(
      E.ILLEGAL_GENERATION,
    );

    expect(groupErrorName(E.REBALANCE_IN_PROGRESS)).toBe('REBALANCE_IN_PROGRESS (27)');
  });

  it('during a rebalance: SyncGroup says REBALANCE_IN_PROGRESS, commits of the current generation go through', async () => {
    const { clock, coordinator } = setup();
    const [a, b] = (await stableGroup(coordinator, clock, 'g', 2)) as [JoinGroupResult, JoinGroupResult];
    const commit = (generationId: number, memberId: string) =>
      coordinator.commitOffsets({ groupId: 'g', generationId, memberId, offsets: [{ topic: 't', partition: 0, offset: 1 }] }).error;
    const rejoin = coordinator.joinGroup(request('g', a.memberId));
    expect((await coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: b.memberId })).error).toBe(E.REBALANCE_IN_PROGRESS);
    expect(commit(1, b.memberId)).toBe(E.NONE);
    await coordinator.joinGroup(request('g', b.memberId));
    expect((await rejoin).generationId).toBe(2);
    // Joined generation 2 but not synced: commits wait for the assignment.
    expect(commit(2, a.memberId)).toBe(E.REBALANCE_IN_PROGRESS);
  });

  it('stretches the initial delay while new members keep arriving, up to the rebalance timeout', async () => {
    const { clock, coordinator } = setup();
    const first = peek(coordinator.joinGroup(request('g')));
    for (let i = 0; i < 3; i++) {
      await clock.advance(DELAY / 2);
      void coordinator.joinGroup(request('g'));
    }
    await clock.advance(DELAY);
    expect(first.value).toBeUndefined();
    await clock.advance(DELAY);
    expect(first.value?.members).toHaveLength(4);
  });

  it('after close: pending requests get NOT_COORDINATOR, new ones COORDINATOR_NOT_AVAILABLE', async () => {
    const { coordinator } = setup();
    const pending = coordinator.joinGroup(request('g'));
    coordinator.close();
    expect((await pending).error).toBe(E.NOT_COORDINATOR);
    expect((await coordinator.joinGroup(request('g'))).error).toBe(E.COORDINATOR_NOT_AVAILABLE);
    expect(coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: 'x' })).toBe(E.COORDINATOR_NOT_AVAILABLE);
    expect(coordinator.commitOffsets({ groupId: 'g', generationId: -1, memberId: '', offsets: [{ topic: 't', partition: 0, offset: 1 }] }).error).toBe(
      E.COORDINATOR_NOT_AVAILABLE,
    );
  });
});

describe('sessions and leaving', () => {
  it('expels a member that stops heartbeating; the others rebalance without it', async () => {
    const { clock, coordinator } = setup();
    const [a, b] = (await stableGroup(coordinator, clock, 'g', 2)) as [JoinGroupResult, JoinGroupResult];
    await clock.advance(SESSION / 2);
    expect(coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId })).toBe(E.NONE);
    await clock.advance(SESSION / 2);
    // b's session ran out; a's was renewed halfway.
    expect(coordinator.describeGroup('g').members.map((m) => m.memberId)).toEqual([a.memberId]);
    expect(coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId })).toBe(E.REBALANCE_IN_PROGRESS);
    expect(coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId })).toBe(E.UNKNOWN_MEMBER_ID);
    const r = await coordinator.joinGroup(request('g', a.memberId));
    expect(r).toMatchObject({ generationId: 2, leader: a.memberId });
  });

  it('keeps a member blocked in JoinGroup alive past its session timeout', async () => {
    const { clock, coordinator } = setup();
    const [a, b] = (await stableGroup(coordinator, clock, 'g', 2)) as [JoinGroupResult, JoinGroupResult];
    const ja = coordinator.joinGroup(request('g', a.memberId));
    await clock.advance(SESSION * 1.5);
    // b stayed silent and was expelled; a waited in JoinGroup and was not.
    const r = await ja;
    expect(r).toMatchObject({ error: E.NONE, generationId: 2, members: [{ memberId: a.memberId }] });
    expect(coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId })).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('expels members that never send SyncGroup after the join phase', async () => {
    const { clock, coordinator } = setup();
    const joins = [coordinator.joinGroup(request('g')), coordinator.joinGroup(request('g'))];
    await clock.advance(FIRST_JOIN);
    const [a, b] = (await Promise.all(joins)) as [JoinGroupResult, JoinGroupResult];
    await coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: a.memberId, assignments: [] });
    // b heartbeats, so its session lives, but it never syncs.
    for (let t = 0; t < REBALANCE; t += SESSION / 2) {
      coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId });
      coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId });
      await clock.advance(SESSION / 2);
    }
    expect(coordinator.describeGroup('g').members.map((m) => m.memberId)).toEqual([a.memberId]);
    expect(coordinator.describeGroup('g').state).toBe('PreparingRebalance');
  });

  it('a leave rebalances the rest; the last one out leaves the group Empty in a new generation', async () => {
    const { clock, coordinator, store } = setup();
    const [a, b] = (await stableGroup(coordinator, clock, 'g', 2)) as [JoinGroupResult, JoinGroupResult];
    expect(coordinator.leaveGroup({ groupId: 'g', memberIds: [b.memberId, 'stranger'] })).toEqual({
      error: E.NONE,
      members: [
        { memberId: b.memberId, error: E.NONE },
        { memberId: 'stranger', error: E.UNKNOWN_MEMBER_ID },
      ],
    });
    expect(coordinator.describeGroup('g').state).toBe('PreparingRebalance');
    const r = await coordinator.joinGroup(request('g', a.memberId));
    expect(r.generationId).toBe(2);
    coordinator.leaveGroup({ groupId: 'g', memberIds: [a.memberId] });
    // a had not synced generation 2: the group went back to PreparingRebalance, and with nobody left it ends Empty.
    expect(coordinator.describeGroup('g')).toMatchObject({ state: 'Empty', generationId: 3, members: [] });
    const records = store.records(offsetsPartitionFor('g'));
    const last = decodeGroupMetadataValue(records[records.length - 1]?.value as Buffer);
    expect(last).toMatchObject({ generation: 3, protocolType: 'consumer', protocol: null, leader: null, members: [] });
    expect(coordinator.leaveGroup({ groupId: 'nope', memberIds: ['x'] })).toEqual({ error: E.NONE, members: [{ memberId: 'x', error: E.UNKNOWN_MEMBER_ID }] });
  });

  it('ends a pending JoinGroup of a member that leaves with UNKNOWN_MEMBER_ID', async () => {
    const { coordinator } = setup();
    const first = await coordinator.joinGroup(request('g', '', { requireKnownMemberId: true }));
    const pending = coordinator.joinGroup(request('g', first.memberId));
    coordinator.leaveGroup({ groupId: 'g', memberIds: [first.memberId] });
    expect((await pending).error).toBe(E.UNKNOWN_MEMBER_ID);
  });
});

describe('offsets', () => {
  it('commits, fetches all or some, with -1 for partitions never committed', async () => {
    const { clock, coordinator } = setup();
    const [a] = (await stableGroup(coordinator, clock, 'g', 1)) as [JoinGroupResult];
    const result = coordinator.commitOffsets({
      groupId: 'g',
      generationId: 1,
      memberId: a.memberId,
      offsets: [
        { topic: 't', partition: 1, offset: 10, leaderEpoch: 3, metadata: 'm' },
        { topic: 't', partition: 0, offset: 5 },
        { topic: 'u', partition: 0, offset: 1, metadata: 'x'.repeat(4097) },
      ],
    });
    expect(result.partitions.map((p) => p.error)).toEqual([E.NONE, E.NONE, E.OFFSET_METADATA_TOO_LARGE]);
    expect(result.error).toBe(E.OFFSET_METADATA_TOO_LARGE);
    expect(coordinator.fetchOffsets({ groupId: 'g' }).offsets).toEqual([
      { topic: 't', partition: 0, offset: 5, leaderEpoch: -1, metadata: '', error: E.NONE },
      { topic: 't', partition: 1, offset: 10, leaderEpoch: 3, metadata: 'm', error: E.NONE },
    ]);
    expect(coordinator.fetchOffsets({ groupId: 'g', partitions: [{ topic: 't', partition: 1 }, { topic: 'u', partition: 0 }] }).offsets).toEqual([
      { topic: 't', partition: 1, offset: 10, leaderEpoch: 3, metadata: 'm', error: E.NONE },
      { topic: 'u', partition: 0, offset: -1, leaderEpoch: -1, metadata: '', error: E.NONE },
    ]);
    expect(coordinator.fetchOffsets({ groupId: 'nobody', partitions: [{ topic: 't', partition: 0 }] }).offsets[0]?.offset).toBe(-1);
  });

  it('accepts standalone commits (generation -1) for a group without members and lists it', () => {
    const { coordinator } = setup();
    expect(coordinator.commitOffsets({ groupId: 'manual', generationId: -1, memberId: '', offsets: [{ topic: 't', partition: 0, offset: 7 }] }).error).toBe(
      E.NONE,
    );
    expect(coordinator.listGroups()).toEqual([{ groupId: 'manual', protocolType: '', state: 'Empty' }]);
    expect(coordinator.describeGroup('manual')).toMatchObject({ state: 'Empty', generationId: 0, members: [] });
    expect(coordinator.describeGroup('nobody')).toMatchObject({ state: 'Dead', members: [] });
  });

  it('writes value v1 with an expire timestamp when a retention time is given', () => {
    const { coordinator, store, clock } = setup();
    coordinator.commitOffsets({ groupId: 'g', generationId: -1, memberId: '', retentionTimeMs: 60_000, offsets: [{ topic: 't', partition: 0, offset: 1 }] });
    const [record] = store.records(offsetsPartitionFor('g'));
    expect(decodeOffsetCommitValue(record?.value as Buffer)).toMatchObject({ version: 1, offset: 1, expireTimestamp: clock.now() + 60_000 });
  });

  it('reports lag per partition against end offsets, with the owning member', async () => {
    const { clock, coordinator } = setup();
    const [a, b] = (await stableGroup(coordinator, clock, 'g', 2)) as [JoinGroupResult, JoinGroupResult];
    coordinator.commitOffsets({ groupId: 'g', generationId: 1, memberId: a.memberId, offsets: [{ topic: 't', partition: 0, offset: 4 }] });
    const lag = coordinator.lag('g', (topic, partition) => (topic === 't' ? 10 + partition : null));
    expect(lag).toEqual({
      groupId: 'g',
      partitions: [
        { topic: 't', partition: 0, committedOffset: 4, endOffset: 10, lag: 6, memberId: a.memberId },
        { topic: 't', partition: 1, committedOffset: -1, endOffset: 11, lag: null, memberId: b.memberId },
      ],
      totalLag: 6,
    });
  });

  it('answers COORDINATOR_NOT_AVAILABLE and keeps its state when the store fails', async () => {
    const store = new InMemoryGroupStore();
    let failing = false;
    const flaky: GroupStore = {
      appendOffsetsTopicRecords: (partition, records) => {
        if (failing) throw new Error('disk full');
        store.appendOffsetsTopicRecords(partition, records);
      },
      loadAll: () => store.loadAll(),
    };
    const errors: unknown[] = [];
    const { clock, coordinator } = setup({ store: flaky, onStoreError: (e) => errors.push(e) });
    const joins = [coordinator.joinGroup(request('g')), coordinator.joinGroup(request('g'))];
    await clock.advance(FIRST_JOIN);
    const [a, b] = (await Promise.all(joins)) as [JoinGroupResult, JoinGroupResult];
    failing = true;
    const follower = coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: b.memberId });
    const leader = await coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: a.memberId, assignments: [] });
    expect(leader.error).toBe(E.COORDINATOR_NOT_AVAILABLE);
    expect((await follower).error).toBe(E.COORDINATOR_NOT_AVAILABLE);
    expect(coordinator.describeGroup('g').state).toBe('PreparingRebalance');
    expect(coordinator.commitOffsets({ groupId: 'g', generationId: 1, memberId: a.memberId, offsets: [{ topic: 't', partition: 0, offset: 3 }] }).error).toBe(
      E.COORDINATOR_NOT_AVAILABLE,
    );
    expect(coordinator.fetchOffsets({ groupId: 'g' }).offsets).toEqual([]);
    expect(errors).toHaveLength(2);
  });
});

describe('persistence in __consumer_offsets', () => {
  async function scenario() {
    const env = setup();
    const { clock, coordinator } = env;
    const [a, b] = (await stableGroup(coordinator, clock, 'orders-app', 2)) as [JoinGroupResult, JoinGroupResult];
    coordinator.commitOffsets({ groupId: 'orders-app', generationId: 1, memberId: a.memberId, offsets: [{ topic: 't', partition: 0, offset: 12, leaderEpoch: 2 }] });
    coordinator.commitOffsets({ groupId: 'orders-app', generationId: 1, memberId: b.memberId, offsets: [{ topic: 't', partition: 1, offset: 30, metadata: 'b' }] });
    coordinator.commitOffsets({ groupId: 'orders-app', generationId: 1, memberId: a.memberId, offsets: [{ topic: 't', partition: 0, offset: 13 }] });
    coordinator.commitOffsets({ groupId: 'audit-tool', generationId: -1, memberId: '', offsets: [{ topic: 't', partition: 0, offset: 99 }] });
    return { ...env, a, b };
  }

  it('writes Kafka-format records to the group’s partition that CommittedOffsetsProjection reads back exactly', async () => {
    const { store, coordinator } = await scenario();
    expect(offsetsPartitionFor('audit-tool')).not.toBe(offsetsPartitionFor('orders-app'));
    expect(store.partitionNumbers()).toEqual([offsetsPartitionFor('audit-tool'), offsetsPartitionFor('orders-app')].sort((x, y) => x - y));
    for (const r of store.records(offsetsPartitionFor('orders-app'))) {
      const key = decodeOffsetsTopicKey(r.key as Buffer);
      expect(key).toMatchObject(key.kind === 'group' ? { version: 2, group: 'orders-app' } : { kind: 'offset', version: 1, group: 'orders-app' });
      if (key.kind === 'group') expect(decodeGroupMetadataValue(r.value as Buffer).version).toBe(3);
      else expect(decodeOffsetCommitValue(r.value as Buffer).version).toBe(3);
    }

    const projection = new CommittedOffsetsProjection();
    for (const r of store.loadAll()) projection.apply(r);
    expect(projection.warnings()).toEqual([]);
    const [audit, orders] = projection.groups();
    expect(audit).toMatchObject({ groupId: 'audit-tool', hasMetadata: false, offsets: [{ topic: 't', partition: 0, offset: 99 }] });

    const live = coordinator.describeGroup('orders-app');
    expect(orders).toMatchObject({ groupId: 'orders-app', hasMetadata: true, protocolType: 'consumer', generation: live.generationId, protocol: 'range', leader: live.leader });
    expect(orders?.members.map((m) => ({ memberId: m.memberId, subscription: m.subscription, assignment: m.assignment, sessionTimeout: m.sessionTimeout, rebalanceTimeout: m.rebalanceTimeout }))).toEqual(
      live.members.map((m) => ({
        memberId: m.memberId,
        subscription: m.subscription,
        assignment: m.decodedAssignment,
        sessionTimeout: SESSION,
        rebalanceTimeout: REBALANCE,
      })),
    );
    expect(orders?.offsets.map(({ topic, partition, offset, leaderEpoch, metadata }) => ({ topic, partition, offset, leaderEpoch, metadata }))).toEqual(
      coordinator.fetchOffsets({ groupId: 'orders-app' }).offsets.map(({ error: _error, ...o }) => o),
    );
  });

  it('a new coordinator over the same store resumes with the same offsets, generations and members', async () => {
    const { store, clock, coordinator, a, b } = await scenario();
    const before = { groups: coordinator.listGroups(), orders: coordinator.describeGroup('orders-app'), offsets: coordinator.fetchOffsets({ groupId: 'orders-app' }) };
    coordinator.close();

    const restarted = new GroupCoordinator({ clock, store, initialRebalanceDelayMs: DELAY, minSessionTimeoutMs: 10 });
    expect(restarted.loadWarnings).toEqual([]);
    expect(restarted.listGroups()).toEqual(before.groups);
    expect(restarted.describeGroup('orders-app')).toEqual(before.orders);
    expect(restarted.fetchOffsets({ groupId: 'orders-app' })).toEqual(before.offsets);
    expect(restarted.fetchOffsets({ groupId: 'audit-tool' }).offsets[0]?.offset).toBe(99);

    // Members of the stored generation may carry on; a silent one expires and the group rebalances.
    await clock.advance(SESSION / 2);
    expect(restarted.heartbeat({ groupId: 'orders-app', generationId: 1, memberId: a.memberId })).toBe(E.NONE);
    await clock.advance(SESSION / 2);
    expect(restarted.heartbeat({ groupId: 'orders-app', generationId: 1, memberId: b.memberId })).toBe(E.UNKNOWN_MEMBER_ID);
    expect(restarted.heartbeat({ groupId: 'orders-app', generationId: 1, memberId: a.memberId })).toBe(E.REBALANCE_IN_PROGRESS);
    expect((await restarted.joinGroup(request('orders-app', a.memberId))).generationId).toBe(2);
  });
});
