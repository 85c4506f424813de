import { describe, it, expect } from 'vitest';
import { CommittedOffsetsProjection } from './committed-offsets';
import type { OffsetsTopicRecord } from './committed-offsets';
import {
  Bytes,
  consumerAssignment,
  consumerSubscription,
  groupMetadataKey,
  groupMetadataValue,
  offsetCommitKey,
  offsetCommitValue,
} from './offsets-topic-encoder.test-support';
import { FIXTURE_LOGS, readFixtureRecords } from './fixture-records.test-support';

let nextOffset = 0;
function record(key: Buffer | null, value: Buffer | null, timestamp = 1000 + nextOffset): OffsetsTopicRecord {
  return { offset: nextOffset++, key, value, timestamp };
}

const commit = (group: string, topic: string, partition: number, offset: number, commitTimestamp = 1): OffsetsTopicRecord =>
  record(offsetCommitKey(1, group, topic, partition), offsetCommitValue(3, { offset, leaderEpoch: 2, metadata: '', commitTimestamp }));

const metadata = (group: string, generation: number, protocolType = 'consumer'): OffsetsTopicRecord =>
  record(
    groupMetadataKey(group),
    groupMetadataValue(3, {
      protocolType,
      generation,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: 99,
      members: [
        {
          memberId: 'm1',
          groupInstanceId: null,
          clientId: 'c1',
          clientHost: '/127.0.0.1',
          rebalanceTimeout: 300_000,
          sessionTimeout: 45_000,
          subscription: consumerSubscription(1, { topics: ['orders'] }),
          assignment: consumerAssignment(1, [{ topic: 'orders', partitions: [0, 1] }]),
        },
        {
          memberId: 'm2',
          groupInstanceId: null,
          clientId: 'c2',
          clientHost: '/127.0.0.2',
          rebalanceTimeout: 300_000,
          sessionTimeout: 45_000,
          subscription: consumerSubscription(1, { topics: ['orders'] }),
          assignment: Buffer.alloc(0),
        },
      ],
    }),
  );

describe('CommittedOffsetsProjection', () => {
  it('keeps the latest commit per topic-partition, sorted by topic then partition', () => {
    const p = new CommittedOffsetsProjection();
    p.apply(commit('g', 'orders', 10, 5));
    p.apply(commit('g', 'orders', 2, 7));
    p.apply(commit('g', 'audit', 0, 1));
    p.apply(commit('g', 'orders', 10, 6, 42));
    const [g] = p.groups();
    expect(g?.offsets.map((o) => [o.topic, o.partition, o.offset])).toEqual([
      ['audit', 0, 1],
      ['orders', 2, 7],
      ['orders', 10, 6],
    ]);
    expect(g?.offsets[2]).toEqual({
      topic: 'orders',
      partition: 10,
      offset: 6,
      leaderEpoch: 2,
      metadata: '',
      commitTimestamp: 42,
      expireTimestamp: -1,
    });
  });

  it('lists a group with only offsets, its metadata unknown', () => {
    const p = new CommittedOffsetsProjection();
    const r = commit('offsets-only', 't', 0, 3);
    p.apply(r);
    expect(p.groups()).toEqual([
      {
        groupId: 'offsets-only',
        hasMetadata: false,
        protocolType: null,
        generation: null,
        protocol: null,
        leader: null,
        currentStateTimestamp: null,
        members: [],
        offsets: [{ topic: 't', partition: 0, offset: 3, leaderEpoch: 2, metadata: '', commitTimestamp: 1, expireTimestamp: -1 }],
        lastUpdated: r.timestamp,
      },
    ]);
  });

  it('takes the latest group metadata and decodes consumer assignments', () => {
    const p = new CommittedOffsetsProjection();
    p.apply(metadata('g', 1));
    p.apply(metadata('g', 2));
    const [g] = p.groups();
    expect(g).toMatchObject({
      groupId: 'g',
      hasMetadata: true,
      protocolType: 'consumer',
      generation: 2,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: 99,
      offsets: [],
    });
    expect(g?.members.map((m) => m.memberId)).toEqual(['m1', 'm2']);
    expect(g?.members[0]?.assignment).toEqual({
      kind: 'decoded',
      value: { version: 1, assignedPartitions: [{ topic: 'orders', partitions: [0, 1] }], userData: null },
    });
    expect(g?.members[0]?.subscription).toMatchObject({ kind: 'decoded', value: { topics: ['orders'] } });
    expect(g?.members[1]?.assignment).toEqual({ kind: 'empty' });
  });

  it('keeps the bytes of other protocol types opaque', () => {
    const p = new CommittedOffsetsProjection();
    p.apply(metadata('connect-cluster', 3, 'connect'));
    expect(p.groups()[0]?.members[0]?.assignment).toMatchObject({ kind: 'opaque', protocolType: 'connect' });
  });

  it('deletes an offset on its tombstone, and the group once nothing is left', () => {
    const p = new CommittedOffsetsProjection();
    p.apply(commit('g', 'a', 0, 1));
    p.apply(commit('g', 'a', 1, 2));
    p.apply(record(offsetCommitKey(1, 'g', 'a', 0), null));
    expect(p.groups()[0]?.offsets.map((o) => o.partition)).toEqual([1]);
    p.apply(record(offsetCommitKey(0, 'g', 'a', 1), null));
    expect(p.groups()).toEqual([]);
    // A tombstone for something never seen changes nothing.
    p.apply(record(offsetCommitKey(1, 'ghost', 'a', 0), null));
    p.apply(record(groupMetadataKey('ghost'), null));
    expect(p.groups()).toEqual([]);
  });

  it('deletes group metadata on its tombstone but keeps the offsets still committed', () => {
    const p = new CommittedOffsetsProjection();
    p.apply(metadata('g', 4));
    p.apply(commit('g', 'orders', 0, 10));
    const tombstone = record(groupMetadataKey('g'), null);
    p.apply(tombstone);
    expect(p.groups()).toEqual([
      expect.objectContaining({
        groupId: 'g',
        hasMetadata: false,
        protocolType: null,
        generation: null,
        members: [],
        offsets: [expect.objectContaining({ topic: 'orders', partition: 0, offset: 10 })],
        lastUpdated: tombstone.timestamp,
      }),
    ]);
    // Fresh metadata for the same group sits beside the offsets it kept.
    p.apply(metadata('g', 5));
    expect(p.groups()[0]).toMatchObject({ hasMetadata: true, generation: 5, offsets: [{ offset: 10 }] });
  });

  it('ignores null keys and newer record types', () => {
    const p = new CommittedOffsetsProjection();
    p.apply(record(null, Buffer.from('x')));
    p.apply(record(new Bytes().int16(3).string('g').build(), Buffer.from('whatever')));
    p.apply(record(new Bytes().int16(11).build(), null));
    expect(p.groups()).toEqual([]);
    expect(p.warnings()).toEqual([]);
  });

  it('turns a record that does not decode into a warning and goes on', () => {
    const p = new CommittedOffsetsProjection();
    p.apply(commit('g', 't', 0, 5));
    const badValue = record(offsetCommitKey(1, 'g', 't', 0), new Bytes().int16(9).int64(6).build());
    p.apply(badValue, 'logs/__consumer_offsets-7/00000000000000000000.log');
    const badKey = record(Buffer.from([0x00, 0x01, 0x01, 0x90]), null);
    p.apply(badKey);
    const badGroup = record(groupMetadataKey('g'), Buffer.from([0x00, 0x03, 0x00]));
    p.apply(badGroup, 'partition 7');
    p.apply(commit('g', 't', 1, 8));

    expect(p.groups()[0]?.offsets.map((o) => [o.partition, o.offset])).toEqual([
      [0, 5],
      [1, 8],
    ]);
    expect(p.groups()[0]?.hasMetadata).toBe(false);
    expect(p.warnings()).toEqual([
      {
        offset: badValue.offset,
        where: 'logs/__consumer_offsets-7/00000000000000000000.log',
        message:
          'value of the offset commit of group "g" for t-0: OffsetCommitValue.version: unknown OffsetCommitValue version 9 at byte 0 (known: 0-4)',
      },
      {
        offset: badKey.offset,
        where: '__consumer_offsets',
        message: 'key: OffsetCommitKey.group: string length 400 at byte 2 runs past the end of the 4-byte key',
      },
      {
        offset: badGroup.offset,
        where: 'partition 7',
        message: 'value of the metadata of group "g": GroupMetadataValue.protocolType: int16 at byte 2 runs past the end of the 3-byte value',
      },
    ]);
  });

  it('hands out copies, so callers cannot change its state', () => {
    const p = new CommittedOffsetsProjection();
    p.apply(commit('g', 't', 0, 5));
    (p.groups()[0]?.offsets as unknown[]).length = 0;
    (p.warnings() as unknown[]).push('x');
    expect(p.groups()[0]?.offsets).toHaveLength(1);
    expect(p.warnings()).toEqual([]);
  });
});

describe('CommittedOffsetsProjection on the fixture logs', () => {
  function fold(p: CommittedOffsetsProjection, relative: string): void {
    const file = `${FIXTURE_LOGS}/${relative}`;
    for (const r of readFixtureRecords(file)) p.apply(r, relative);
  }

  it('kafka-keyed/__consumer_offsets-36: flink-group has test-0921/0 at 100, no metadata', () => {
    const p = new CommittedOffsetsProjection();
    fold(p, 'kafka-keyed/__consumer_offsets-36/00000000000000000000.log');
    expect(p.warnings()).toEqual([]);
    expect(p.groups()).toEqual([
      {
        groupId: 'flink-group',
        hasMetadata: false,
        protocolType: null,
        generation: null,
        protocol: null,
        leader: null,
        currentStateTimestamp: null,
        members: [],
        offsets: [
          {
            topic: 'test-0921',
            partition: 0,
            offset: 100,
            leaderEpoch: -1,
            metadata: '',
            commitTimestamp: 1_560_756_362_979,
            expireTimestamp: -1,
          },
        ],
        lastUpdated: 1_560_756_362_979,
      },
    ]);
  });

  it('kafka-3.7-kraft/__consumer_offsets-44: the group appears, then its two tombstones delete it', () => {
    const p = new CommittedOffsetsProjection();
    fold(p, 'kafka-3.7-kraft/__consumer_offsets-44/00000000000000000000.log');
    expect(p.groups()).toEqual([
      {
        groupId: 'rupia-transaction-group',
        hasMetadata: true,
        protocolType: 'consumer',
        generation: 5,
        protocol: null,
        leader: null,
        currentStateTimestamp: 1_765_944_615_541,
        members: [],
        offsets: [
          {
            topic: 'topic_transactions',
            partition: 0,
            offset: 5,
            leaderEpoch: -1,
            metadata: '',
            commitTimestamp: 1_765_883_866_522,
            expireTimestamp: -1,
          },
        ],
        lastUpdated: 1_765_944_615_543,
      },
    ]);
    fold(p, 'kafka-3.7-kraft/__consumer_offsets-44/00000000000000000009.log');
    expect(p.groups()).toEqual([]);
    expect(p.warnings()).toEqual([]);
  });

  it('kafka-3.7-kraft/__consumer_offsets-31: console-consumer-7889 ends empty at generation 4', () => {
    const p = new CommittedOffsetsProjection();
    fold(p, 'kafka-3.7-kraft/__consumer_offsets-31/00000000000000000000.log');
    const [before] = p.groups();
    expect(before).toMatchObject({ groupId: 'console-consumer-7889', generation: 2, protocol: 'range', offsets: [] });
    expect(before?.members).toHaveLength(1);
    expect(before?.members[0]?.assignment).toEqual({
      kind: 'decoded',
      value: { version: 3, assignedPartitions: [{ topic: 'topic_transactions', partitions: [0] }], userData: null },
    });

    fold(p, 'kafka-3.7-kraft/__consumer_offsets-31/00000000000000000003.log');
    expect(p.groups()).toEqual([
      {
        groupId: 'console-consumer-7889',
        hasMetadata: true,
        protocolType: 'consumer',
        generation: 4,
        protocol: null,
        leader: null,
        currentStateTimestamp: 1_767_085_787_768,
        members: [],
        offsets: [],
        lastUpdated: 1_767_085_787_771,
      },
    ]);
    expect(p.warnings()).toEqual([]);
  });
});
