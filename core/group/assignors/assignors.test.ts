import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { topicPartitionKey } from './assignor';
import type { AssignorMember, PartitionAssignment, PartitionAssignor, TopicPartition } from './assignor';
import { cooperativeStickyAssign, stickyAssign } from './cooperative-sticky';
import { rangeAssign } from './range';
import { roundRobinAssign } from './roundrobin';

const TOPICS = ['a', 'b', 'c', 'd'];

const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });
const asObject = (a: PartitionAssignment): Record<string, string[]> =>
  Object.fromEntries([...a].map(([id, list]) => [id, list.map((x) => `${x.topic}${x.partition}`)]));

const partitionsPerTopic = fc
  .tuple(...TOPICS.map(() => fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined })))
  .map((counts) => new Map(TOPICS.flatMap((t, i) => (counts[i] === undefined ? [] : [[t, counts[i] as number] as const]))));

const memberIds = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 7 });

const members = memberIds.chain((ids) =>
  fc.tuple(...ids.map(() => fc.subarray(TOPICS, { minLength: 1 }))).map((subs) => ids.map((memberId, i) => ({ memberId, topics: subs[i] as string[] }))),
);

const equalMembers = fc
  .tuple(memberIds, fc.subarray(TOPICS, { minLength: 1 }))
  .map(([ids, topics]) => ids.map((memberId) => ({ memberId, topics })));

function checkComplete(ms: readonly AssignorMember[], counts: ReadonlyMap<string, number>, a: PartitionAssignment): void {
  expect([...a.keys()].sort()).toEqual(ms.map((m) => m.memberId).sort());
  const seen = new Map<string, string>();
  for (const [memberId, list] of a) {
    const member = ms.find((m) => m.memberId === memberId) as AssignorMember;
    for (const x of list) {
      expect(member.topics).toContain(x.topic);
      expect(x.partition).toBeLessThan(counts.get(x.topic) as number);
      expect(seen.has(topicPartitionKey(x))).toBe(false);
      seen.set(topicPartitionKey(x), memberId);
    }
  }
  const subscribed = new Set(ms.flatMap((m) => m.topics));
  let expected = 0;
  for (const [topic, n] of counts) if (subscribed.has(topic)) expected += n;
  expect(seen.size).toBe(expected);
}

function spread(a: PartitionAssignment): number {
  const sizes = [...a.values()].map((l) => l.length);
  return Math.max(...sizes) - Math.min(...sizes);
}

/** Runs cooperative rebalances, each member owning what it got last time, until nothing is held back. */
function converge(ms: readonly AssignorMember[], counts: ReadonlyMap<string, number>, maxRounds: number): { rounds: number; result: PartitionAssignment } {
  let current = ms;
  for (let round = 1; round <= maxRounds; round++) {
    const result = cooperativeStickyAssign(current, counts);
    const target = stickyAssign(current, counts);
    if (JSON.stringify(asObject(result)) === JSON.stringify(asObject(target))) return { rounds: round, result };
    current = current.map((m) => ({ ...m, ownedPartitions: result.get(m.memberId) ?? [] }));
  }
  throw new Error(`no convergence in ${maxRounds} rounds`);
}

const complete: [string, PartitionAssignor][] = [
  ['range', rangeAssign],
  ['roundrobin', roundRobinAssign],
  ['sticky', stickyAssign],
];

describe.each(complete)('%s', (_name, assign) => {
  it('assigns every partition of a subscribed topic to exactly one subscribed member', () => {
    fc.assert(
      fc.property(members, partitionsPerTopic, (ms, counts) => {
        checkComplete(ms, counts, assign(ms, counts));
      }),
    );
  });
});

describe('range', () => {
  it('matches the Java documentation example', () => {
    const ms = [
      { memberId: 'C1', topics: ['t0', 't1'] },
      { memberId: 'C0', topics: ['t0', 't1'] },
    ];
    expect(asObject(rangeAssign(ms, new Map([['t0', 3], ['t1', 3]])))).toEqual({ C1: ['t02', 't12'], C0: ['t00', 't01', 't10', 't11'] });
  });

  it('gives the first members the remainder, per topic', () => {
    const ms = ['m2', 'm0', 'm1'].map((memberId) => ({ memberId, topics: ['t'] }));
    expect(asObject(rangeAssign(ms, new Map([['t', 7]])))).toEqual({ m0: ['t0', 't1', 't2'], m1: ['t3', 't4'], m2: ['t5', 't6'] });
    // Per topic, so two topics of 1 partition both land on the first member.
    const two = ['x', 'y'].map((memberId) => ({ memberId, topics: ['p', 'q'] }));
    expect(asObject(rangeAssign(two, new Map([['p', 1], ['q', 1]])))).toEqual({ x: ['p0', 'q0'], y: [] });
  });

  it('ranges only over the members subscribed to the topic and skips topics without metadata', () => {
    const ms = [
      { memberId: 'a', topics: ['t', 'u'] },
      { memberId: 'b', topics: ['u'] },
      { memberId: 'c', topics: ['t', 'missing'] },
    ];
    expect(asObject(rangeAssign(ms, new Map([['t', 3], ['u', 2]])))).toEqual({ a: ['t0', 't1', 'u0'], b: ['u1'], c: ['t2'] });
  });

  it('puts static members first, by instance id', () => {
    const ms = [
      { memberId: 'a', topics: ['t'] },
      { memberId: 'z', groupInstanceId: 'i2', topics: ['t'] },
      { memberId: 'y', groupInstanceId: 'i1', topics: ['t'] },
    ];
    expect(asObject(rangeAssign(ms, new Map([['t', 3]])))).toEqual({ a: ['t2'], z: ['t1'], y: ['t0'] });
  });
});

describe('roundrobin', () => {
  it('matches the Java documentation examples', () => {
    const ms = ['C0', 'C1'].map((memberId) => ({ memberId, topics: ['t0', 't1'] }));
    expect(asObject(roundRobinAssign(ms, new Map([['t0', 3], ['t1', 3]])))).toEqual({ C0: ['t00', 't02', 't11'], C1: ['t01', 't10', 't12'] });
    const uneven = [
      { memberId: 'C0', topics: ['t0'] },
      { memberId: 'C1', topics: ['t0', 't1'] },
      { memberId: 'C2', topics: ['t0', 't1', 't2'] },
    ];
    expect(asObject(roundRobinAssign(uneven, new Map([['t0', 1], ['t1', 2], ['t2', 3]])))).toEqual({
      C0: ['t00'],
      C1: ['t10'],
      C2: ['t11', 't20', 't21', 't22'],
    });
  });

  it('is balanced when subscriptions are equal', () => {
    fc.assert(
      fc.property(equalMembers, partitionsPerTopic, (ms, counts) => {
        expect(spread(roundRobinAssign(ms, counts))).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('sticky', () => {
  it('is balanced when subscriptions are equal, whatever was owned before', () => {
    fc.assert(
      fc.property(equalMembers, partitionsPerTopic, fc.infiniteStream(fc.nat()), (ms, counts, picks) => {
        // Arbitrary (possibly lopsided, overlapping or invalid) previous ownership.
        const all = [...counts].flatMap(([t, n]) => Array.from({ length: n }, (_, p) => tp(t, p)));
        const it = picks[Symbol.iterator]();
        const owned = ms.map((m) => ({ ...m, ownedPartitions: all.filter(() => (it.next().value as number) % (ms.length + 1) === 0) }));
        const result = stickyAssign(owned, counts);
        checkComplete(owned, counts, result);
        expect(spread(result)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('changes nothing when nothing changed', () => {
    fc.assert(
      fc.property(members, partitionsPerTopic, (ms, counts) => {
        const first = stickyAssign(ms, counts);
        const owned = ms.map((m) => ({ ...m, ownedPartitions: first.get(m.memberId) ?? [] }));
        expect(asObject(stickyAssign(owned, counts))).toEqual(asObject(first));
        expect(asObject(cooperativeStickyAssign(owned, counts))).toEqual(asObject(first));
      }),
    );
  });

  it('keeps ownership when members join: each keeps as much as its new fair share allows', () => {
    fc.assert(
      fc.property(equalMembers, fc.integer({ min: 1, max: 3 }), partitionsPerTopic, (ms, joining, counts) => {
        const before = stickyAssign(ms, counts);
        const grown = [
          ...ms.map((m) => ({ ...m, ownedPartitions: before.get(m.memberId) ?? [] })),
          ...Array.from({ length: joining }, (_, i) => ({ memberId: `\u{10ffff}new${i}`, topics: ms[0]?.topics ?? [] })),
        ];
        const after = stickyAssign(grown, counts);
        const total = [...before.values()].reduce((n, l) => n + l.length, 0);
        const fairShare = Math.floor(total / grown.length);
        for (const m of ms) {
          const had = new Set((before.get(m.memberId) ?? []).map(topicPartitionKey));
          const kept = (after.get(m.memberId) ?? []).filter((x) => had.has(topicPartitionKey(x))).length;
          expect(kept).toBeGreaterThanOrEqual(Math.min(had.size, fairShare));
        }
      }),
    );
  });

  it('moves only what balance needs when a member leaves', () => {
    const ms = ['a', 'b', 'c'].map((memberId) => ({ memberId, topics: ['t'] }));
    const counts = new Map([['t', 6]]);
    const before = stickyAssign(ms, counts);
    const remaining = ms.slice(0, 2).map((m) => ({ ...m, ownedPartitions: before.get(m.memberId) ?? [] }));
    const after = stickyAssign(remaining, counts);
    for (const m of remaining) expect(after.get(m.memberId)).toEqual(expect.arrayContaining(before.get(m.memberId) ?? []));
    expect(spread(after)).toBe(0);
  });
});

describe('cooperative-sticky', () => {
  it('never gives a member a partition another member still owns', () => {
    fc.assert(
      fc.property(members, partitionsPerTopic, (ms, counts) => {
        const first = cooperativeStickyAssign(ms, counts);
        // Reshuffle: every member subscribes to everything, so partitions have to move.
        const owned = ms.map((m) => ({ ...m, topics: TOPICS, ownedPartitions: first.get(m.memberId) ?? [] }));
        const second = cooperativeStickyAssign(owned, counts);
        for (const [memberId, list] of second) {
          for (const x of list) {
            const holder = owned.find((m) => m.ownedPartitions.some((o) => topicPartitionKey(o) === topicPartitionKey(x)));
            if (holder) expect(holder.memberId).toBe(memberId);
          }
        }
      }),
    );
  });

  it('hands revoked partitions over in the follow-up rebalance: two rounds when subscriptions are equal', () => {
    fc.assert(
      fc.property(equalMembers, fc.integer({ min: 1, max: 3 }), partitionsPerTopic, (ms, joining, counts) => {
        const before = stickyAssign(ms, counts);
        const grown = [
          ...ms.map((m) => ({ ...m, ownedPartitions: before.get(m.memberId) ?? [] })),
          ...Array.from({ length: joining }, (_, i) => ({ memberId: `new${i}`, topics: ms[0]?.topics ?? [] })),
        ];
        const { rounds, result } = converge(grown, counts, 2);
        expect(rounds).toBeLessThanOrEqual(2);
        checkComplete(grown, counts, result);
        expect(spread(result)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('converges for unequal subscriptions too', () => {
    fc.assert(
      fc.property(members, members, partitionsPerTopic, (ms, next, counts) => {
        const first = converge(ms, counts, 10).result;
        // A new set of members and subscriptions, the survivors owning what they had.
        const changed = next.map((m) => ({ ...m, ownedPartitions: first.get(m.memberId) ?? [] }));
        checkComplete(changed, counts, converge(changed, counts, 10).result);
      }),
    );
  });

  it('holds back exactly the partitions that change hands', () => {
    const counts = new Map([['t', 4]]);
    const ms = [
      { memberId: 'a', topics: ['t'], ownedPartitions: [0, 1, 2, 3].map((p) => tp('t', p)) },
      { memberId: 'b', topics: ['t'] },
    ];
    expect(asObject(cooperativeStickyAssign(ms, counts))).toEqual({ a: ['t0', 't1'], b: [] });
    const next = [
      { memberId: 'a', topics: ['t'], ownedPartitions: [tp('t', 0), tp('t', 1)] },
      { memberId: 'b', topics: ['t'], ownedPartitions: [] },
    ];
    expect(asObject(cooperativeStickyAssign(next, counts))).toEqual({ a: ['t0', 't1'], b: ['t2', 't3'] });
  });
});
