import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FIXTURE_LOGS, readFixtureRecords } from './fixture-records.test-support';
import {
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
} from './offsets-topic-encoder';
import { groupMetadataValue, offsetCommitKey, offsetCommitValue } from './offsets-topic-encoder.test-support';
import { decodeGroupMetadataValue, decodeOffsetCommitValue, decodeOffsetsTopicKey } from './offsets-topic-records';

const text = fc.string({ unit: 'grapheme', maxLength: 20 });
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const offset = fc.integer({ min: -1, max: Number.MAX_SAFE_INTEGER });
const timestamp = fc.integer({ min: -1, max: 2 ** 45 });

describe('OffsetCommit key (v1)', () => {
  it('round-trips through the decoder and matches the test encoder', () => {
    fc.assert(
      fc.property(text, text, int32, (group, topic, partition) => {
        const key = encodeOffsetCommitKey(group, topic, partition);
        expect(decodeOffsetsTopicKey(key)).toEqual({ kind: 'offset', version: 1, group, topic, partition });
        expect(key.equals(offsetCommitKey(1, group, topic, partition))).toBe(true);
      }),
    );
  });
});

describe('OffsetCommit value', () => {
  it('is v3 without an expire timestamp and round-trips', () => {
    fc.assert(
      fc.property(offset, int32, text, timestamp, (o, leaderEpoch, metadata, commitTimestamp) => {
        const value = encodeOffsetCommitValue({ offset: o, leaderEpoch, metadata, commitTimestamp });
        expect(decodeOffsetCommitValue(value)).toEqual({ version: 3, offset: o, leaderEpoch, metadata, commitTimestamp, expireTimestamp: -1 });
        expect(value.equals(offsetCommitValue(3, { offset: o, leaderEpoch, metadata, commitTimestamp }))).toBe(true);
      }),
    );
  });

  it('is v1 with an expire timestamp, which drops the leader epoch', () => {
    fc.assert(
      fc.property(offset, text, timestamp, fc.integer({ min: 0, max: 2 ** 45 }), (o, metadata, commitTimestamp, expireTimestamp) => {
        const value = encodeOffsetCommitValue({ offset: o, leaderEpoch: 7, metadata, commitTimestamp, expireTimestamp });
        expect(decodeOffsetCommitValue(value)).toEqual({ version: 1, offset: o, leaderEpoch: -1, metadata, commitTimestamp, expireTimestamp });
      }),
    );
  });

  it('defaults leader epoch to -1 and metadata to empty', () => {
    expect(decodeOffsetCommitValue(encodeOffsetCommitValue({ offset: 1, commitTimestamp: 2 }))).toMatchObject({ leaderEpoch: -1, metadata: '' });
  });
});

describe('GroupMetadata key (v2) and value (v3)', () => {
  it('round-trip through the decoders and match the test encoder', () => {
    const member = fc.record({
      memberId: text,
      groupInstanceId: fc.option(text, { nil: null }),
      clientId: text,
      clientHost: text,
      rebalanceTimeout: int32,
      sessionTimeout: int32,
      subscription: fc.uint8Array({ maxLength: 30 }).map((a) => Buffer.from(a)),
      assignment: fc.uint8Array({ maxLength: 30 }).map((a) => Buffer.from(a)),
    });
    fc.assert(
      fc.property(
        text,
        fc.record({
          protocolType: text,
          generation: int32,
          protocol: fc.option(text, { nil: null }),
          leader: fc.option(text, { nil: null }),
          currentStateTimestamp: timestamp,
          members: fc.array(member, { maxLength: 4 }),
        }),
        (group, fields) => {
          expect(decodeOffsetsTopicKey(encodeGroupMetadataKey(group))).toEqual({ kind: 'group', version: 2, group });
          const value = encodeGroupMetadataValue(fields);
          expect(decodeGroupMetadataValue(value)).toEqual({ version: 3, ...fields });
          expect(value.equals(groupMetadataValue(3, fields))).toBe(true);
        },
      ),
    );
  });
});

describe('byte-exact against Kafka', () => {
  const rupia = readFixtureRecords(`${FIXTURE_LOGS}/kafka-3.7-kraft/__consumer_offsets-44/00000000000000000000.log`);

  it('writes the worked rupia-transaction-group commit (kafka-format.md §8) in its v3 form', () => {
    const stored = rupia[0];
    if (!stored?.key || !stored.value) throw new Error('fixture record 6 is missing');
    const key = encodeOffsetCommitKey('rupia-transaction-group', 'topic_transactions', 0);
    expect(key.length).toBe(51);
    expect(key.equals(stored.key)).toBe(true);

    const { commitTimestamp } = decodeOffsetCommitValue(stored.value);
    const value = encodeOffsetCommitValue({ offset: 5, leaderEpoch: -1, metadata: '', commitTimestamp });
    const ts = Buffer.alloc(8);
    ts.writeBigInt64BE(BigInt(commitTimestamp));
    // version 3 · offset 5 · leader epoch -1 · int16 length 0 of the metadata · commit timestamp.
    const expected = Buffer.concat([Buffer.from('0003' + '0000000000000005' + 'ffffffff' + '0000', 'hex'), ts]);
    expect(value.length).toBe(24);
    expect(value.toString('hex')).toBe(expected.toString('hex'));
    // The v4 Kafka stored differs only in its version, compact metadata length and tag buffer.
    expect(stored.value.subarray(2, 14).equals(value.subarray(2, 14))).toBe(true);
    expect(stored.value.subarray(15, 23).equals(value.subarray(16, 24))).toBe(true);
  });

  it('re-encodes every kafka-keyed flink-group commit (key v1, value v3) byte for byte', () => {
    const records = readFixtureRecords(`${FIXTURE_LOGS}/kafka-keyed/__consumer_offsets-36/00000000000000000000.log`);
    expect(records).toHaveLength(16);
    for (const r of records) {
      const k = decodeOffsetsTopicKey(r.key as Buffer);
      if (k.kind !== 'offset') throw new Error('expected an offset commit key');
      expect(encodeOffsetCommitKey(k.group, k.topic, k.partition).equals(r.key as Buffer)).toBe(true);
      expect(encodeOffsetCommitValue(decodeOffsetCommitValue(r.value as Buffer)).equals(r.value as Buffer)).toBe(true);
    }
  });

  it('re-encodes every kafka-3.7-kraft GroupMetadata record (key v2, value v3) byte for byte', () => {
    const dir = `${FIXTURE_LOGS}/kafka-3.7-kraft/__consumer_offsets-31`;
    const records = [
      ...readFixtureRecords(`${dir}/00000000000000000000.log`),
      ...readFixtureRecords(`${dir}/00000000000000000003.log`),
      rupia[1],
    ];
    expect(records).toHaveLength(4);
    for (const r of records) {
      const k = decodeOffsetsTopicKey(r?.key as Buffer);
      if (k.kind !== 'group') throw new Error('expected a group metadata key');
      expect(encodeGroupMetadataKey(k.group).equals(r?.key as Buffer)).toBe(true);
      const { version: _version, ...fields } = decodeGroupMetadataValue(r?.value as Buffer);
      expect(encodeGroupMetadataValue(fields).equals(r?.value as Buffer)).toBe(true);
    }
  });
});
