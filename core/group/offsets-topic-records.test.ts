import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeOffsetsTopicKey,
  OffsetsRecordError,
} from './offsets-topic-records';
import {
  Bytes,
  groupMetadataKey,
  groupMetadataValue,
  offsetCommitKey,
  offsetCommitValue,
} from './offsets-topic-encoder.test-support';
import type { MemberFields } from './offsets-topic-encoder.test-support';
import { FIXTURE_LOGS, readFixtureRecords } from './fixture-records.test-support';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s·]/g, ''), 'hex');
const ascii = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

/** reference/kafka-format.md §8: `kafka-3.7-kraft/__consumer_offsets-44`, offset 6. */
const WORKED_KEY = hex(`0001 0017 ${ascii('rupia-transaction-group')} 0012 ${ascii('topic_transactions')} 00000000`);
const WORKED_VALUE_V4 = hex('0004 · 0000000000000005 · ffffffff · 01 · 0000019b26e16d9a · 00');
const WORKED_VALUE_V3 = hex('0003 · 0000000000000005 · ffffffff · 0000 · 0000019b26e16d9a');
const WORKED_COMMIT_TS = 0x19b26e16d9a;

function errorOf(fn: () => unknown): OffsetsRecordError {
  try {
    fn();
  } catch (error) {
    if (error instanceof OffsetsRecordError) return error;
    throw error;
  }
  throw new Error('expected an OffsetsRecordError, got none');
}

describe('decodeOffsetsTopicKey', () => {
  it('decodes the worked OffsetCommit key (51 bytes)', () => {
    expect(WORKED_KEY.length).toBe(51);
    expect(decodeOffsetsTopicKey(WORKED_KEY)).toEqual({
      kind: 'offset',
      version: 1,
      group: 'rupia-transaction-group',
      topic: 'topic_transactions',
      partition: 0,
    });
  });

  it('decodes key v0 the same way as v1', () => {
    expect(decodeOffsetsTopicKey(offsetCommitKey(0, 'g', 'orders', 7))).toEqual({
      kind: 'offset',
      version: 0,
      group: 'g',
      topic: 'orders',
      partition: 7,
    });
    expect(decodeOffsetsTopicKey(offsetCommitKey(1, 'ü-group', 'тема', 2_000_000_000))).toEqual({
      kind: 'offset',
      version: 1,
      group: 'ü-group',
      topic: 'тема',
      partition: 2_000_000_000,
    });
  });

  it('decodes a GroupMetadata key (v2)', () => {
    expect(decodeOffsetsTopicKey(hex(`0002 0005 ${ascii('group')}`))).toEqual({ kind: 'group', version: 2, group: 'group' });
    expect(decodeOffsetsTopicKey(groupMetadataKey(''))).toEqual({ kind: 'group', version: 2, group: '' });
  });

  it('reports newer record types (KIP-848, share groups and later) as other, whatever follows', () => {
    for (let version = 3; version <= 15; version++) {
      const key = new Bytes().int16(version).string('g').build();
      expect(decodeOffsetsTopicKey(key)).toEqual({ kind: 'other', version });
    }
    expect(decodeOffsetsTopicKey(hex('0011 ff'))).toEqual({ kind: 'other', version: 17 });
  });

  it('says which field, at which byte and why for a truncated key', () => {
    const e = errorOf(() => decodeOffsetsTopicKey(WORKED_KEY.subarray(0, 49)));
    expect(e.part).toBe('key');
    expect(e.field).toBe('OffsetCommitKey.partition');
    expect(e.position).toBe(47);
    expect(e.message).toBe('OffsetCommitKey.partition: int32 at byte 47 runs past the end of the 49-byte key');

    const empty = errorOf(() => decodeOffsetsTopicKey(Buffer.alloc(1)));
    expect(empty.message).toBe('key.version: int16 at byte 0 runs past the end of the 1-byte key');
  });

  it('rejects an impossible string length', () => {
    const key = Buffer.from(WORKED_KEY);
    key.writeInt16BE(400, 2);
    const e = errorOf(() => decodeOffsetsTopicKey(key));
    expect(e.field).toBe('OffsetCommitKey.group');
    expect(e.position).toBe(2);
    expect(e.reason).toBe('string length 400 at byte 2 runs past the end of the 51-byte key');
    expect(e.message).toBe('OffsetCommitKey.group: string length 400 at byte 2 runs past the end of the 51-byte key');
  });

  it('rejects a null or negative-length group, a negative version and trailing bytes', () => {
    expect(errorOf(() => decodeOffsetsTopicKey(hex('0002 ffff'))).reason).toBe(
      'string at byte 2 is null but the field is not nullable',
    );
    expect(errorOf(() => decodeOffsetsTopicKey(hex('0002 fffe'))).reason).toBe('string length -2 at byte 2 is negative');
    expect(errorOf(() => decodeOffsetsTopicKey(hex('ffff 0000'))).reason).toBe('key version -1 is negative');
    const trailing = errorOf(() => decodeOffsetsTopicKey(Buffer.concat([WORKED_KEY, hex('00')])));
    expect(trailing.position).toBe(51);
    expect(trailing.message).toBe('OffsetCommitKey: 1 unread byte from byte 51 to the end of the 52-byte key');
  });
});

describe('decodeOffsetCommitValue', () => {
  it('decodes the worked v4 value (24 bytes, flexible)', () => {
    expect(WORKED_VALUE_V4.length).toBe(24);
    expect(decodeOffsetCommitValue(WORKED_VALUE_V4)).toEqual({
      version: 4,
      offset: 5,
      leaderEpoch: -1,
      metadata: '',
      commitTimestamp: WORKED_COMMIT_TS,
      expireTimestamp: -1,
    });
  });

  it('decodes the same commit in v3 (24 bytes, classic)', () => {
    expect(WORKED_VALUE_V3.length).toBe(24);
    expect(decodeOffsetCommitValue(WORKED_VALUE_V3)).toEqual({
      version: 3,
      offset: 5,
      leaderEpoch: -1,
      metadata: '',
      commitTimestamp: WORKED_COMMIT_TS,
      expireTimestamp: -1,
    });
  });

  it('decodes v0: offset, metadata, commit timestamp', () => {
    const value = hex(`0000 · 00000000000004d2 · 0003 ${ascii('abc')} · 0000016b6452fa07`);
    expect(decodeOffsetCommitValue(value)).toEqual({
      version: 0,
      offset: 1234,
      leaderEpoch: -1,
      metadata: 'abc',
      commitTimestamp: 1560756288007,
      expireTimestamp: -1,
    });
  });

  it('decodes v1 with its expire timestamp', () => {
    const value = hex(`0001 · 0000000100000000 · 0000 · 0000016b6452fa07 · 0000016b6a3b1e07`);
    expect(decodeOffsetCommitValue(value)).toEqual({
      version: 1,
      offset: 2 ** 32,
      leaderEpoch: -1,
      metadata: '',
      commitTimestamp: 1560756288007,
      expireTimestamp: 0x16b6a3b1e07,
    });
  });

  it('decodes v2 (no expire timestamp, no leader epoch)', () => {
    const value = offsetCommitValue(2, { offset: 42, metadata: 'm', commitTimestamp: 1_700_000_000_000 });
    expect(value.length).toBe(2 + 8 + 3 + 8);
    expect(decodeOffsetCommitValue(value)).toEqual({
      version: 2,
      offset: 42,
      leaderEpoch: -1,
      metadata: 'm',
      commitTimestamp: 1_700_000_000_000,
      expireTimestamp: -1,
    });
  });

  it('decodes v3 with a leader epoch', () => {
    const value = offsetCommitValue(3, { offset: 9_007_199_254_740_991, leaderEpoch: 12, metadata: 'x'.repeat(300), commitTimestamp: 5 });
    expect(decodeOffsetCommitValue(value)).toEqual({
      version: 3,
      offset: 9_007_199_254_740_991,
      leaderEpoch: 12,
      metadata: 'x'.repeat(300),
      commitTimestamp: 5,
      expireTimestamp: -1,
    });
  });

  it('decodes v4 with a long compact metadata and skips unknown tagged fields', () => {
    const value = offsetCommitValue(4, {
      offset: 77,
      leaderEpoch: 3,
      metadata: 'é'.repeat(100), // 200 bytes: the compact length needs two varint bytes
      commitTimestamp: 1_700_000_000_123,
      tags: [
        { tag: 0, data: Buffer.alloc(16, 0xab) },
        { tag: 200, data: Buffer.alloc(0) },
      ],
    });
    expect(decodeOffsetCommitValue(value)).toEqual({
      version: 4,
      offset: 77,
      leaderEpoch: 3,
      metadata: 'é'.repeat(100),
      commitTimestamp: 1_700_000_000_123,
      expireTimestamp: -1,
    });
  });

  it('decodes negative offsets and timestamps as negative numbers', () => {
    const value = offsetCommitValue(3, { offset: -1, leaderEpoch: -1, metadata: '', commitTimestamp: -2 });
    expect(decodeOffsetCommitValue(value)).toMatchObject({ offset: -1, commitTimestamp: -2 });
  });

  it('rejects an unknown version with its byte position', () => {
    const value = Buffer.from(WORKED_VALUE_V3);
    value.writeInt16BE(9, 0);
    const e = errorOf(() => decodeOffsetCommitValue(value));
    expect(e.part).toBe('value');
    expect(e.field).toBe('OffsetCommitValue.version');
    expect(e.position).toBe(0);
    expect(e.message).toBe('OffsetCommitValue.version: unknown OffsetCommitValue version 9 at byte 0 (known: 0-4)');
  });

  it('rejects truncated and malformed values, naming the field and byte', () => {
    const truncated = errorOf(() => decodeOffsetCommitValue(WORKED_VALUE_V3.subarray(0, 20)));
    expect(truncated.message).toBe(
      'OffsetCommitValue.commitTimestamp: int64 at byte 16 runs past the end of the 20-byte value',
    );
    // v4 metadata is a compact string: 0 means null, and metadata is not nullable.
    const nullMetadata = Buffer.from(WORKED_VALUE_V4);
    nullMetadata[14] = 0;
    expect(errorOf(() => decodeOffsetCommitValue(nullMetadata)).message).toBe(
      'OffsetCommitValue.metadata: string at byte 14 is null but the field is not nullable',
    );
    const longMetadata = Buffer.from(WORKED_VALUE_V4);
    longMetadata[14] = 0x64;
    expect(errorOf(() => decodeOffsetCommitValue(longMetadata)).message).toBe(
      'OffsetCommitValue.metadata: string length 99 at byte 14 runs past the end of the 24-byte value',
    );
    // A tag buffer announcing a field whose bytes are not there.
    const badTags = Buffer.concat([WORKED_VALUE_V4.subarray(0, 23), hex('01 00 05 aa')]);
    const e = errorOf(() => decodeOffsetCommitValue(badTags));
    expect(e.field).toBe('OffsetCommitValue.taggedFields');
    expect(e.position).toBe(25);
    expect(e.reason).toBe('tagged field 0 of 5 bytes at byte 25 runs past the end of the 27-byte value');
    // A varint that never ends.
    const endless = Buffer.concat([WORKED_VALUE_V4.subarray(0, 14), hex('ffffffffff01')]);
    expect(errorOf(() => decodeOffsetCommitValue(endless)).reason).toBe('unsigned varint at byte 14 is longer than 5 bytes');
    // v3 bytes labelled v2: the leader epoch ffffffff is read as a null metadata string.
    const relabelled = Buffer.from(WORKED_VALUE_V3);
    relabelled.writeInt16BE(2, 0);
    expect(errorOf(() => decodeOffsetCommitValue(relabelled)).message).toBe(
      'OffsetCommitValue.metadata: string at byte 10 is null but the field is not nullable',
    );
  });

  it('round-trips every version', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }),
        fc.maxSafeInteger(),
        fc.integer({ min: -1, max: 2 ** 31 - 1 }),
        fc.string(),
        fc.integer({ min: -1, max: 2 ** 45 }),
        fc.integer({ min: -1, max: 2 ** 45 }),
        (version, offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp) => {
          const value = offsetCommitValue(version, { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp });
          expect(decodeOffsetCommitValue(value)).toEqual({
            version,
            offset,
            leaderEpoch: version >= 3 ? leaderEpoch : -1,
            metadata,
            commitTimestamp,
            expireTimestamp: version === 1 ? expireTimestamp : -1,
          });
        },
      ),
    );
  });
});

const subscriptionBytes = hex('0000 00000001 0001 61 ffffffff');
const assignmentBytes = hex('0000 00000001 0001 61 00000001 00000000 ffffffff');

function member(i: number): MemberFields {
  return {
    memberId: `consumer-${i}-uuid`,
    groupInstanceId: i === 1 ? 'static-1' : null,
    clientId: `client-${i}`,
    clientHost: `/10.0.0.${i}`,
    rebalanceTimeout: 300_000 + i,
    sessionTimeout: 45_000 + i,
    subscription: subscriptionBytes,
    assignment: i === 2 ? Buffer.alloc(0) : assignmentBytes,
  };
}

describe('decodeGroupMetadataValue', () => {
  const fields = {
    protocolType: 'consumer',
    generation: 7,
    protocol: 'range',
    leader: 'consumer-1-uuid',
    currentStateTimestamp: 1_766_053_800_016,
    members: [member(1), member(2)],
  };

  for (const version of [0, 1, 2, 3, 4]) {
    it(`decodes v${version}, every field`, () => {
      const decoded = decodeGroupMetadataValue(groupMetadataValue(version, fields));
      expect(decoded.version).toBe(version);
      expect(decoded.protocolType).toBe('consumer');
      expect(decoded.generation).toBe(7);
      expect(decoded.protocol).toBe('range');
      expect(decoded.leader).toBe('consumer-1-uuid');
      expect(decoded.currentStateTimestamp).toBe(version >= 2 ? 1_766_053_800_016 : -1);
      expect(decoded.members).toHaveLength(2);
      decoded.members.forEach((m, index) => {
        const i = index + 1;
        expect(m.memberId).toBe(`consumer-${i}-uuid`);
        expect(m.groupInstanceId).toBe(version >= 3 && i === 1 ? 'static-1' : null);
        expect(m.clientId).toBe(`client-${i}`);
        expect(m.clientHost).toBe(`/10.0.0.${i}`);
        expect(m.rebalanceTimeout).toBe(version >= 1 ? 300_000 + i : -1);
        expect(m.sessionTimeout).toBe(45_000 + i);
        expect(m.subscription.equals(subscriptionBytes)).toBe(true);
        expect(m.assignment.equals(i === 2 ? Buffer.alloc(0) : assignmentBytes)).toBe(true);
      });
    });
  }

  it('decodes v0 with null protocol and leader and no members (an empty group)', () => {
    const value = hex(`0000 0008 ${ascii('consumer')} 00000000 ffff ffff 00000000`);
    expect(decodeGroupMetadataValue(value)).toEqual({
      version: 0,
      protocolType: 'consumer',
      generation: 0,
      protocol: null,
      leader: null,
      currentStateTimestamp: -1,
      members: [],
    });
  });

  it('decodes a hand-written flexible v4 value with tagged fields after each member and the group', () => {
    const value = hex(
      [
        '0004',
        `09 ${ascii('consumer')}`, // compact protocolType
        '00000003', // generation
        `06 ${ascii('range')}`, // protocol
        `02 ${ascii('m')}`, // leader
        '0000019b31026850', // currentStateTimestamp
        '02', // one member
        `02 ${ascii('m')} · 00 · 02 ${ascii('c')} · 03 ${ascii('/h')}`, // memberId, null instance id, clientId, clientHost
        '000493e0 · 0000afc8', // rebalance 300000, session 45000
        '03 0102 · 01', // subscription 0102, empty assignment
        '01 05 02 beef', // member tag 5, 2 bytes
        '00', // group tags
      ].join(' '),
    );
    const decoded = decodeGroupMetadataValue(value);
    expect(decoded).toEqual({
      version: 4,
      protocolType: 'consumer',
      generation: 3,
      protocol: 'range',
      leader: 'm',
      currentStateTimestamp: 0x19b31026850,
      members: [
        {
          memberId: 'm',
          groupInstanceId: null,
          clientId: 'c',
          clientHost: '/h',
          rebalanceTimeout: 300_000,
          sessionTimeout: 45_000,
          subscription: hex('0102'),
          assignment: Buffer.alloc(0),
        },
      ],
    });
  });

  it('skips tagged fields in v4 at both levels', () => {
    const tags = [{ tag: 1, data: Buffer.from('future') }];
    const value = groupMetadataValue(4, { ...fields, members: [{ ...member(1), tags }], tags });
    expect(decodeGroupMetadataValue(value).members[0]?.memberId).toBe('consumer-1-uuid');
  });

  it('names the member and field of malformed bytes', () => {
    const value = groupMetadataValue(3, fields);
    const e = errorOf(() => decodeGroupMetadataValue(value.subarray(0, value.length - 3)));
    expect(e.field).toBe('GroupMetadataValue.members[1].assignment');
    expect(e.part).toBe('value');
    expect(e.reason).toMatch(/^int32 at byte \d+ runs past the end of the \d+-byte value$/);

    const hugeCount = hex(`0003 0008 ${ascii('consumer')} 00000001 ffff ffff 0000000000000000 7fffffff`);
    expect(errorOf(() => decodeGroupMetadataValue(hugeCount)).message).toBe(
      'GroupMetadataValue.members: array count 2147483647 at byte 28 needs at least 38654705646 bytes but the 32-byte value has 0 left',
    );

    const unknown = errorOf(() => decodeGroupMetadataValue(hex('0009 0000')));
    expect(unknown.position).toBe(0);
    expect(unknown.message).toBe('GroupMetadataValue.version: unknown GroupMetadataValue version 9 at byte 0 (known: 0-4)');
  });
});

describe('random bytes', () => {
  it('either decode or throw OffsetsRecordError, never anything else', () => {
    const decoders = [decodeOffsetsTopicKey, decodeOffsetCommitValue, decodeGroupMetadataValue];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 4 }), fc.uint8Array({ maxLength: 80 }), (d, version, body) => {
        const bytes = Buffer.concat([new Bytes().int16(version).build(), Buffer.from(body)]);
        try {
          (decoders[d] as (b: Buffer) => unknown)(bytes);
        } catch (error) {
          if (!(error instanceof OffsetsRecordError)) throw error;
          expect(error.position).toBeGreaterThanOrEqual(0);
          expect(error.position).toBeLessThanOrEqual(bytes.length);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('fixture logs', () => {
  it('kafka-3.7-kraft/__consumer_offsets-44 offset 6 holds exactly the worked key and value', () => {
    const records = readFixtureRecords(`${FIXTURE_LOGS}/kafka-3.7-kraft/__consumer_offsets-44/00000000000000000000.log`);
    expect(records.map((r) => r.offset)).toEqual([6, 8]);
    const commit = records[0];
    expect(commit?.key?.equals(WORKED_KEY)).toBe(true);
    expect(commit?.value?.equals(WORKED_VALUE_V4)).toBe(true);

    const metadata = records[1];
    expect(decodeOffsetsTopicKey(metadata?.key as Buffer)).toEqual({ kind: 'group', version: 2, group: 'rupia-transaction-group' });
    expect(decodeGroupMetadataValue(metadata?.value as Buffer)).toEqual({
      version: 3,
      protocolType: 'consumer',
      generation: 5,
      protocol: null,
      leader: null,
      currentStateTimestamp: 1_765_944_615_541,
      members: [],
    });
  });

  it('kafka-3.7-kraft/__consumer_offsets-44 offsets 9-10 are tombstones for the same two keys', () => {
    const records = readFixtureRecords(`${FIXTURE_LOGS}/kafka-3.7-kraft/__consumer_offsets-44/00000000000000000009.log`);
    expect(records.map((r) => [r.offset, r.value])).toEqual([
      [9, null],
      [10, null],
    ]);
    expect(records[0]?.key?.equals(WORKED_KEY)).toBe(true);
    expect(decodeOffsetsTopicKey(records[1]?.key as Buffer)).toEqual({ kind: 'group', version: 2, group: 'rupia-transaction-group' });
  });

  it('kafka-3.7-kraft/__consumer_offsets-31 holds GroupMetadata v3 with a member', () => {
    const records = readFixtureRecords(`${FIXTURE_LOGS}/kafka-3.7-kraft/__consumer_offsets-31/00000000000000000000.log`);
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record?.offset).toBe(2);
    expect(decodeOffsetsTopicKey(record?.key as Buffer)).toEqual({ kind: 'group', version: 2, group: 'console-consumer-7889' });
    const value = decodeGroupMetadataValue(record?.value as Buffer);
    expect(value).toMatchObject({
      version: 3,
      protocolType: 'consumer',
      generation: 2,
      protocol: 'range',
      leader: 'console-consumer-a42f8a2e-8233-45f7-b690-d49790562708',
      currentStateTimestamp: 1_766_053_800_016,
    });
    expect(value.members).toHaveLength(1);
    expect(value.members[0]).toMatchObject({
      memberId: 'console-consumer-a42f8a2e-8233-45f7-b690-d49790562708',
      groupInstanceId: null,
      clientId: 'console-consumer',
      clientHost: '/127.0.0.1',
      rebalanceTimeout: 300_000,
      sessionTimeout: 45_000,
    });
    expect(value.members[0]?.subscription.length).toBe(40);
    expect(value.members[0]?.assignment.length).toBe(38);
  });

  it('kafka-keyed/__consumer_offsets-36 holds 16 commits of flink-group: 35, 85, then 100', () => {
    const records = readFixtureRecords(`${FIXTURE_LOGS}/kafka-keyed/__consumer_offsets-36/00000000000000000000.log`);
    expect(records.map((r) => r.offset)).toEqual([...Array(16).keys()]);
    const committed: number[] = [];
    for (const r of records) {
      expect(r.key?.length).toBe(30);
      expect(decodeOffsetsTopicKey(r.key as Buffer)).toEqual({
        kind: 'offset',
        version: 1,
        group: 'flink-group',
        topic: 'test-0921',
        partition: 0,
      });
      expect(r.value?.length).toBe(24);
      const v = decodeOffsetCommitValue(r.value as Buffer);
      expect(v).toMatchObject({ version: 3, leaderEpoch: -1, metadata: '', expireTimestamp: -1 });
      // The group coordinator stamps the record a moment after the commit it stores.
      expect(r.timestamp - v.commitTimestamp).toBeGreaterThanOrEqual(0);
      expect(r.timestamp - v.commitTimestamp).toBeLessThan(1000);
      committed.push(v.offset);
    }
    expect(committed).toEqual([35, 85, ...Array(14).fill(100)]);
  });
});
