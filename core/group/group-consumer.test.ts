import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AssignorName } from './assignors/registry';
import { topicPartitionKey } from './assignors/assignor';
import type { TopicPartition } from './assignors/assignor';
import { CommittedOffsetsProjection } from './committed-offsets';
import { encodeConsumerSubscription } from './consumer-protocol-encoder';
import { GroupConsumer, GroupConsumerError } from './group-consumer';
import type { GroupConsumerOptions } from './group-consumer';
import type { GroupClock, TimerHandle } from './group-clock';
import { GroupCoordinator } from './group-coordinator';
import { GroupErrorCode as E } from './group-error-codes';
import { InMemoryGroupStore } from './group-store';
import { InMemoryPartitionReader } from './in-memory-partition-reader';
import { ManualClock, settle } from './manual-clock.test-support';

const TOPIC = 'orders';
const PARTITIONS = 6;
const SESSION = 1000;
const POLL_EVERY = 10;
const RETRIABLE: readonly number[] = [E.REBALANCE_IN_PROGRESS, E.ILLEGAL_GENERATION, E.UNKNOWN_MEMBER_ID];

interface Delivery {
  readonly group: string;
  readonly consumer: number;
  readonly member: string;
  readonly generation: number;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * Polls in its own loop, in virtual time, as an application would, committing after every
 * `commitEvery`-th poll; in between, the consumer's own commit on revoke has to keep records from
 * being delivered twice.
 */
class Runner {
  readonly done: Promise<void>;
  error: unknown = null;
  private stopping = false;
  private polls = 0;

  constructor(
    readonly id: number,
    readonly consumer: GroupConsumer,
    private readonly driver: Driver,
    private readonly maxRecords: number,
    private readonly commitEvery: number,
    private readonly clock: GroupClock,
  ) {
    this.done = this.loop();
  }

  get stopped(): boolean {
    return this.stopping;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        const records = await this.consumer.poll({ maxRecords: this.maxRecords });
        const generation = this.consumer.generationId;
        for (const r of records) {
          this.driver.deliveries.push({
            group: this.consumer.groupId,
            consumer: this.id,
            member: this.consumer.memberId,
            generation,
            topic: r.topic,
            partition: r.partition,
            offset: r.offset,
          });
        }
        if (++this.polls % this.commitEvery === 0) await this.consumer.commit();
      } catch (error) {
        if (this.stopping) break;
        // Fenced or rebalancing: the next poll sorts it out.
        if (!(error instanceof GroupConsumerError && error.code !== null && RETRIABLE.includes(error.code))) {
          this.error = error;
          break;
        }
      }
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, POLL_EVERY));
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.close();
  }

  /** Stops polling without closing: the member goes silent as a crashed process would. */
  abandon(): void {
    this.stopping = true;
  }
}

class Driver {
  readonly clock = new ManualClock();
  readonly store = new InMemoryGroupStore();
  readonly reader = new InMemoryPartitionReader();
  readonly deliveries: Delivery[] = [];
  readonly runners: Runner[] = [];
  /** Runners whose view of their ownership is known to be stale (a stalled process), left out of the owner check. */
  readonly stale = new Set<number>();
  coordinator: GroupCoordinator;
  private produced = 0;

  constructor() {
    this.coordinator = this.newCoordinator();
    this.reader.createTopic(TOPIC, PARTITIONS);
  }

  newCoordinator(): GroupCoordinator {
    this.coordinator = new GroupCoordinator({ clock: this.clock, store: this.store, initialRebalanceDelayMs: 50, minSessionTimeoutMs: 10 });
    return this.coordinator;
  }

  produce(perPartition: number, topic = TOPIC): void {
    for (let p = 0; p < this.reader.partitionCount(topic); p++) {
      this.reader.append(
        topic,
        p,
        Array.from({ length: perPartition }, () => ({ value: Buffer.from(`record ${this.produced++}`) })),
      );
    }
  }

  consumer(groupId: string, options: Partial<GroupConsumerOptions> = {}): GroupConsumer {
    return new GroupConsumer(this.coordinator, this.reader, {
      groupId,
      topics: [TOPIC],
      clientId: `client${this.runners.length}`,
      sessionTimeoutMs: SESSION,
      heartbeatIntervalMs: 100,
      rebalanceTimeoutMs: 2000,
      autoOffsetReset: 'earliest',
      ...options,
    });
  }

  start(groupId: string, options: Partial<GroupConsumerOptions> = {}, maxRecords = 7, commitEvery = 3): Runner {
    const runner = new Runner(this.runners.length, this.consumer(groupId, options), this, maxRecords, commitEvery, options.clock ?? this.clock);
    this.runners.push(runner);
    return runner;
  }

  /** Advances time in small steps, checking after each that no partition has two owners in a group. */
  async run(ms: number, during?: (elapsed: number) => void): Promise<void> {
    for (let t = 0; t < ms; t += POLL_EVERY) {
      during?.(t);
      await this.clock.advance(POLL_EVERY);
      this.checkSingleOwners();
      for (const r of this.runners) if (r.error) throw r.error;
    }
  }

  /** Runs until every produced record has reached each of the groups (or gives up). */
  async drain(groups: readonly string[], limitMs = 10_000): Promise<void> {
    const total = this.totalRecords();
    for (let t = 0; t < limitMs; t += 100) {
      const done = groups.every((g) => new Set(this.deliveries.filter((d) => d.group === g).map(key)).size >= total);
      if (done) return;
      await this.run(100);
    }
  }

  totalRecords(): number {
    let total = 0;
    for (let p = 0; p < PARTITIONS; p++) total += this.reader.endOffset(TOPIC, p);
    return total;
  }

  checkSingleOwners(): void {
    const owners = new Map<string, number>();
    for (const r of this.runners) {
      if (r.stopped || this.stale.has(r.id)) continue;
      for (const tp of r.consumer.assignment()) {
        const k = `${r.consumer.groupId}/${topicPartitionKey(tp)}`;
        const other = owners.get(k);
        if (other !== undefined) throw new Error(`${tp.topic}-${tp.partition} owned by consumers ${other} and ${r.id} of ${r.consumer.groupId}`);
        owners.set(k, r.id);
      }
    }
  }
}

/** A process that stalls (a long GC pause, a laptop lid closed): while stalled its timers do not fire; they all fire when it wakes. */
class StallingClock implements GroupClock {
  private stalled = false;
  private held: (() => void)[] = [];

  constructor(private readonly base: ManualClock) {}

  now(): number {
    return this.base.now();
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.base.setTimeout(() => (this.stalled ? this.held.push(callback) : callback()), delayMs);
  }

  clearTimeout(handle: TimerHandle): void {
    this.base.clearTimeout(handle);
  }

  stall(): void {
    this.stalled = true;
  }

  /** Fires what was held in the order it came due (the poll loop's sleep before the heartbeat), each settling before the next. */
  async wake(): Promise<void> {
    this.stalled = false;
    const held = this.held;
    this.held = [];
    for (const callback of held) {
      callback();
      await settle();
    }
  }
}

const key = (d: { topic: string; partition: number; offset: number }): string => `${d.topic}-${d.partition}@${d.offset}`;

/** Every record of the topic delivered exactly once to the group, each partition in offset order, one reader per partition and generation. */
function expectExactlyOnce(driver: Driver, group: string): void {
  const deliveries = driver.deliveries.filter((d) => d.group === group);
  const counts = new Map<string, number>();
  for (const d of deliveries) counts.set(key(d), (counts.get(key(d)) ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([k]) => k);
  expect(duplicates).toEqual([]);
  expect(counts.size).toBe(driver.totalRecords());
  expectPartitionOrderAndSingleReaders(deliveries);
}

function expectPartitionOrderAndSingleReaders(deliveries: readonly Delivery[]): void {
  const last = new Map<string, number>();
  const readers = new Map<string, number>();
  for (const d of deliveries) {
    const tp = `${d.topic}-${d.partition}`;
    expect(d.offset, `offset order in ${tp}`).toBeGreaterThan(last.get(tp) ?? -1);
    last.set(tp, d.offset);
    const gen = `${d.generation}/${tp}`;
    expect(readers.get(gen) ?? d.consumer, `one reader of ${tp} in generation ${d.generation}`).toBe(d.consumer);
    readers.set(gen, d.consumer);
  }
}

describe('GroupConsumer', () => {
  it.each([1, 2, 4])('%i consumer(s): every record delivered exactly once, in partition order', async (n) => {
    const driver = new Driver();
    driver.produce(20);
    for (let i = 0; i < n; i++) driver.start('app');
    await driver.run(600, (t) => {
      if (t % 50 === 0) driver.produce(3);
    });
    await driver.drain(['app']);
    expectExactlyOnce(driver, 'app');
    const owners = driver.runners.map((r) => r.consumer.assignment().length);
    expect(owners.reduce((a, b) => a + b, 0)).toBe(PARTITIONS);
    expect(Math.max(...owners) - Math.min(...owners)).toBeLessThanOrEqual(1);
    const gen = driver.coordinator.describeGroup('app');
    expect(gen).toMatchObject({ state: 'Stable', protocol: 'range' });
    expect(gen.members).toHaveLength(n);
  });

  it.each<AssignorName>(['range', 'roundrobin', 'cooperative-sticky'])(
    '%s: members joining and leaving mid-stream lose and duplicate nothing',
    async (assignor) => {
      const driver = new Driver();
      driver.produce(10);
      const runners = [driver.start('app', { assignor })];
      await driver.run(1500, (t) => {
        if (t % 30 === 0) driver.produce(1);
        if (t === 200) runners.push(driver.start('app', { assignor }));
        if (t === 450) runners.push(driver.start('app', { assignor }), driver.start('app', { assignor }));
        if (t === 800) void runners[1]?.stop();
        if (t === 1100) void runners[0]?.stop();
      });
      await driver.drain(['app']);
      expectExactlyOnce(driver, 'app');
      // Everyone took part at some point, and the two that stayed split the partitions.
      expect(new Set(driver.deliveries.map((d) => d.consumer)).size).toBe(4);
      expect(runners.slice(2).map((r) => r.consumer.assignment().length)).toEqual([3, 3]);
      expect(driver.coordinator.describeGroup('app').members).toHaveLength(2);
    },
  );

  it('cooperative-sticky rebalances in two phases: revoked partitions reach their new owner only in the next generation', async () => {
    const driver = new Driver();
    driver.produce(5);
    const events: { consumer: number; kind: string; generation: number; partitions: number[] }[] = [];
    const listener = (id: number) => ({
      onPartitionsAssigned: (ps: readonly TopicPartition[]) => void events.push({ consumer: id, kind: 'assigned', generation: -1, partitions: ps.map((p) => p.partition) }),
      // Slow on purpose: the partitions stay with their owner until this returns, and nobody else may have them meanwhile.
      onPartitionsRevoked: async (ps: readonly TopicPartition[]) => {
        events.push({ consumer: id, kind: 'revoked', generation: -1, partitions: ps.map((p) => p.partition) });
        await driver.clock.sleep(30);
      },
    });
    const first = driver.start('coop', { assignor: 'cooperative-sticky', listener: listener(0) });
    await driver.run(200);
    expect(first.consumer.assignment()).toHaveLength(6);
    const generationBefore = first.consumer.generationId;
    const second = driver.start('coop', { assignor: 'cooperative-sticky', listener: listener(1) });
    await driver.run(500);
    expect(first.consumer.assignment()).toHaveLength(3);
    expect(second.consumer.assignment()).toHaveLength(3);
    // Two rebalances: one that takes three partitions from the first member, one that gives them to the second.
    expect(first.consumer.generationId).toBe(generationBefore + 2);
    const revokedFromFirst = events.filter((e) => e.consumer === 0 && e.kind === 'revoked').flatMap((e) => e.partitions);
    expect(revokedFromFirst).toHaveLength(3);
    const secondGot = events.filter((e) => e.consumer === 1 && e.kind === 'assigned').flatMap((e) => e.partitions);
    expect(secondGot.sort()).toEqual(revokedFromFirst.sort());
    // The second member got nothing in the generation where the first gave them up.
    const firstNonEmpty = events.findIndex((e) => e.consumer === 1 && e.kind === 'assigned' && e.partitions.length > 0);
    const revokedAt = events.findIndex((e) => e.consumer === 0 && e.kind === 'revoked');
    expect(revokedAt).toBeGreaterThanOrEqual(0);
    expect(firstNonEmpty).toBeGreaterThan(revokedAt);
    await driver.drain(['coop']);
    expectExactlyOnce(driver, 'coop');
  });

  it('two groups read the same topic independently', async () => {
    const driver = new Driver();
    driver.produce(15);
    driver.start('billing');
    driver.start('billing');
    driver.start('audit', { assignor: 'roundrobin' });
    driver.start('audit', { assignor: 'roundrobin' });
    driver.start('audit', { assignor: 'roundrobin' });
    await driver.run(400, (t) => {
      if (t % 40 === 0) driver.produce(2);
    });
    await driver.drain(['billing', 'audit']);
    expectExactlyOnce(driver, 'billing');
    expectExactlyOnce(driver, 'audit');
    expect(driver.coordinator.describeGroup('billing').members).toHaveLength(2);
    expect(driver.coordinator.describeGroup('audit').protocol).toBe('roundrobin');
  });

  it('a silent member is expelled after its session timeout and its partitions move', async () => {
    const driver = new Driver();
    driver.produce(10);
    const live = driver.start('app');
    await driver.clock.advance(1);
    // A member that joins, takes its assignment, and is never heard from again.
    const silent = driver.coordinator.joinGroup({
      groupId: 'app',
      memberId: '',
      clientId: 'silent',
      clientHost: 'x',
      sessionTimeoutMs: SESSION,
      rebalanceTimeoutMs: 2000,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: encodeConsumerSubscription({ topics: [TOPIC] }) }],
    });
    await driver.run(200);
    const joined = await silent;
    expect(joined.error).toBe(E.NONE);
    const sync = await driver.coordinator.syncGroup({ groupId: 'app', generationId: joined.generationId, memberId: joined.memberId });
    expect(sync.error).toBe(E.NONE);
    expect(live.consumer.assignment()).toHaveLength(3);
    await driver.run(SESSION + 200);
    expect(driver.coordinator.describeGroup('app').members.map((m) => m.clientId)).toEqual(['client0']);
    expect(live.consumer.assignment()).toHaveLength(6);
    await driver.drain(['app']);
    expectExactlyOnce(driver, 'app');
  });

  it('a member expelled while stalled reads nothing it lost when it wakes: it rejoins first', async () => {
    const driver = new Driver();
    driver.produce(10);
    const stalling = new StallingClock(driver.clock);
    const zombie = driver.start('app', { clock: stalling }, 7, 1);
    driver.start('app', {}, 7, 1);
    await driver.run(300);
    expect(zombie.consumer.assignment()).toHaveLength(3);
    stalling.stall();
    driver.stale.add(zombie.id);
    await driver.run(SESSION + 300, (t) => {
      if (t % 50 === 0) driver.produce(1);
    });
    // Expelled, but it does not know yet: it still believes it owns its partitions.
    expect(driver.coordinator.describeGroup('app').members).toHaveLength(1);
    expect(zombie.consumer.assignment()).toHaveLength(3);
    const before = driver.deliveries.length;
    await stalling.wake();
    await driver.clock.advance(1);
    expect(driver.deliveries.slice(before).filter((d) => d.consumer === zombie.id)).toEqual([]);
    expect(zombie.consumer.assignment()).toEqual([]);
    driver.stale.delete(zombie.id);
    await driver.drain(['app']);
    expectExactlyOnce(driver, 'app');
  });

  it('a consumer that stops polling past max.poll.interval leaves, and rejoins when it polls again', async () => {
    const driver = new Driver();
    driver.produce(3);
    const consumer = driver.consumer('idle', { rebalanceTimeoutMs: 500 });
    const first = consumer.poll();
    await driver.clock.advance(100);
    expect(await first).toHaveLength(18);
    await driver.clock.advance(700);
    expect(driver.coordinator.describeGroup('idle').members).toEqual([]);
    expect(consumer.assignment()).toEqual([]);
    driver.produce(1);
    const again = consumer.poll();
    await driver.clock.advance(100);
    // It never committed, and leaving for inactivity commits nothing (its records were not confirmed processed).
    expect((await again).length).toBe(24);
    await consumer.close();
  });

  it('restart: a new coordinator over the same store resumes from the committed offsets', async () => {
    const driver = new Driver();
    driver.produce(10);
    const a = driver.start('app', {}, 4);
    const b = driver.start('app', {}, 4);
    await driver.run(100);
    await Promise.all([a.stop(), b.stop()]);
    await driver.run(50);
    const consumedBefore = driver.deliveries.length;
    expect(consumedBefore).toBeGreaterThan(0);
    expect(consumedBefore).toBeLessThan(60);
    const before = { offsets: driver.coordinator.fetchOffsets({ groupId: 'app' }), group: driver.coordinator.describeGroup('app') };
    driver.coordinator.close();

    driver.newCoordinator();
    expect(driver.coordinator.fetchOffsets({ groupId: 'app' })).toEqual(before.offsets);
    expect(driver.coordinator.describeGroup('app')).toEqual(before.group);
    driver.produce(5);
    driver.start('app');
    await driver.drain(['app']);
    expectExactlyOnce(driver, 'app');
    expect(driver.coordinator.describeGroup('app').generationId).toBeGreaterThan(before.group.generationId);
  });

  it('restart after a crash: the new consumer waits out the old sessions, then takes over from the last commits', async () => {
    const driver = new Driver();
    driver.produce(10);
    const a = driver.start('app', {}, 4);
    await driver.run(100);
    a.abandon();
    await driver.run(20);
    const committed = driver.coordinator.fetchOffsets({ groupId: 'app' }).offsets;
    driver.coordinator.close();
    driver.newCoordinator();
    const description = driver.coordinator.describeGroup('app');
    expect(description).toMatchObject({ state: 'Stable', members: [{ memberId: a.consumer.memberId }] });
    const firstNew = driver.deliveries.length;
    driver.start('app');
    await driver.run(SESSION / 2);
    expect(driver.deliveries.length).toBe(firstNew);
    await driver.drain(['app']);
    const resumed = driver.deliveries.slice(firstNew);
    for (const c of committed) {
      const first = resumed.find((d) => d.partition === c.partition);
      expect(first?.offset).toBe(c.offset);
    }
    expectExactlyOnce(driver, 'app');
  });

  it('latest: starts at the end of partitions the group never committed', async () => {
    const driver = new Driver();
    driver.produce(10);
    const consumer = driver.consumer('tail', { autoOffsetReset: 'latest' });
    const first = consumer.poll();
    await driver.clock.advance(100);
    expect(await first).toEqual([]);
    driver.produce(1);
    const next = await consumer.poll();
    next.sort((x, y) => x.partition - y.partition);
    expect(next.map((r) => r.offset)).toEqual(Array(PARTITIONS).fill(10));
    expect(next.map((r) => r.value?.toString())).toEqual(Array.from({ length: PARTITIONS }, (_, p) => `record ${60 + p}`));
    await consumer.close();
  });

  it('rejects a consumer whose assignor the group does not use (INCONSISTENT_GROUP_PROTOCOL)', async () => {
    const driver = new Driver();
    driver.start('app', { assignor: 'range' });
    await driver.run(100);
    const other = driver.consumer('app', { assignor: 'roundrobin' });
    const error = await other.poll().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GroupConsumerError);
    expect((error as GroupConsumerError).code).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('reports lag against end offsets and writes commits that CommittedOffsetsProjection reads exactly', async () => {
    const driver = new Driver();
    driver.produce(10);
    const consumer = driver.consumer('lagging');
    const first = consumer.poll({ maxRecords: 6 });
    await driver.clock.advance(100);
    expect(await first).toHaveLength(6);
    await consumer.commit();
    const lag = driver.coordinator.lag('lagging', (t, p) => driver.reader.endOffset(t, p));
    expect(lag.totalLag).toBe(54);
    expect(lag.partitions.every((p) => p.memberId === consumer.memberId)).toBe(true);

    const projection = new CommittedOffsetsProjection();
    for (const r of driver.store.loadAll()) projection.apply(r);
    expect(projection.warnings()).toEqual([]);
    const [group] = projection.groups();
    expect(group?.offsets.map((o) => [o.partition, o.offset])).toEqual(
      driver.coordinator.fetchOffsets({ groupId: 'lagging' }).offsets.map((o) => [o.partition, o.offset]),
    );
    expect(group?.generation).toBe(consumer.generationId);
    expect(group?.members[0]?.assignment).toEqual({
      kind: 'decoded',
      value: { version: 1, assignedPartitions: [{ topic: TOPIC, partitions: [0, 1, 2, 3, 4, 5] }], userData: null },
    });
    await consumer.close();
  });

  it('a listener may commit from onPartitionsRevoked, while the partitions are still its own', async () => {
    const driver = new Driver();
    driver.produce(10);
    const seen: number[][] = [];
    const self: { consumer?: GroupConsumer } = {};
    const listener = {
      onPartitionsRevoked: async (partitions: readonly TopicPartition[]) => {
        seen.push(self.consumer?.assignment().map((tp) => tp.partition) ?? []);
        await self.consumer?.commit();
        expect(partitions.length).toBeGreaterThan(0);
      },
    };
    // The runner itself never commits: only the listener's commit stands between a rebalance and duplicates.
    self.consumer = driver.start('app', { commitOnRevoke: false, listener }, 7, 1000).consumer;
    await driver.run(100);
    driver.start('app', { commitOnRevoke: false });
    await driver.run(300);
    expect(seen).toEqual([[0, 1, 2, 3, 4, 5]]);
    await driver.drain(['app']);
    expectExactlyOnce(driver, 'app');
  });

  it('random joins, leaves and production: every record exactly once, with every assignor', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<AssignorName>('range', 'roundrobin', 'cooperative-sticky'),
        fc.array(fc.record({ step: fc.integer({ min: 0, max: 80 }), action: fc.constantFrom('start', 'stop', 'produce') }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 5 }),
        async (assignor, events, maxRecords, commitEvery) => {
          const driver = new Driver();
          driver.produce(3);
          driver.start('app', { assignor }, maxRecords, commitEvery);
          const live = () => driver.runners.filter((r) => !r.stopped);
          await driver.run(800, (t) => {
            for (const e of events.filter((x) => x.step * POLL_EVERY === t)) {
              if (e.action === 'produce') driver.produce(2);
              else if (e.action === 'start') driver.start('app', { assignor }, maxRecords, commitEvery);
              else void live()[0]?.stop();
            }
          });
          if (live().length === 0) driver.start('app', { assignor }, maxRecords, commitEvery);
          await driver.drain(['app']);
          expectExactlyOnce(driver, 'app');
          await Promise.all(live().map((r) => r.stop()));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('refuses a heartbeat interval that is not shorter than the session timeout', () => {
    const driver = new Driver();
    expect(() => driver.consumer('app', { heartbeatIntervalMs: SESSION })).toThrow(RangeError);
  });

  it('close() ends a join still waiting and leaves; poll() after close throws', async () => {
    const driver = new Driver();
    const consumer = driver.consumer('app');
    const pending = consumer.poll();
    await driver.clock.advance(10);
    await consumer.close();
    await expect(pending).rejects.toThrow(/closed/);
    await expect(consumer.poll()).rejects.toThrow(/closed/);
    expect(driver.coordinator.describeGroup('app').members).toEqual([]);
  });
});
