import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompressionCodec } from '../compression/compression-codec';
import { decompress } from '../compression/compression';
import { fixturePath } from '../log-fixtures.test-support';
import { parseV2Header } from '../segment/batch-header';
import { decodeCoordinatorEpoch, encodeControlKey, encodeEndTransactionValue } from './control-record';
import { type BatchToEncode, type RecordToEncode, assignBaseOffset, encodeRecordBatch, writeBatchCrc } from './record-batch-encoder';
import { RecordBatchV2 } from './record-batch';

const WORKED_EXAMPLE_HEX =
  '0000000000000000' + '00000039' + '00000000' + '02' + 'd04616af' + '0000' + '00000000' + '000001748aaf1442' + '000001748aaf1442' +
  'ffffffffffffffff' + 'ffff' + 'ffffffff' + '00000001' + '0e' + '00' + '00' + '00' + '01' + '02' + '31' + '00';

const AT = 4096;

const ALL_CODECS = [CompressionCodec.None, CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd] as const;

describe('encodeRecordBatch reproduces Kafka', () => {
  it('writes the exact 69 bytes of the first batch of kafka-0.11/test0-0', () => {
    const real = readFileSync(fixturePath('kafka-0.11/test0-0/00000000000000000000.log')).subarray(0, 69);
    expect(real.toString('hex')).toBe(WORKED_EXAMPLE_HEX);
    const encoded = encodeRecordBatch({
      baseOffset: 0,
      partitionLeaderEpoch: 0,
      records: [{ key: null, value: Buffer.from('1'), timestamp: 1_600_054_563_906 }],
    });
    expect(encoded.toString('hex')).toBe(WORKED_EXAMPLE_HEX);
  });

  it('re-encodes every batch of every fixture log byte for byte from its decoded fields', () => {
    const logs = [
      'kafka-0.11/test0-0/00000000000000000000.log',
      'kafka-0.11/test0-1/00000000000000000000.log',
      'kafka-0.11/test0-2/00000000000000000000.log',
      'kafka-keyed/string-key-0/00000000000000000000.log',
      'kafka-keyed/test-0921-0/00000000000000000000.log',
      'kafka-keyed/__consumer_offsets-36/00000000000000000000.log',
      'kafka-3.7-kraft/__consumer_offsets-31/00000000000000000000.log',
      'kafka-3.7-kraft/__consumer_offsets-31/00000000000000000003.log',
      'kafka-3.7-kraft/__consumer_offsets-44/00000000000000000000.log',
      'kafka-3.7-kraft/__consumer_offsets-44/00000000000000000009.log',
      'kafka-3.7-kraft/__cluster_metadata-0/00000000000001725413.log',
    ];
    let batches = 0;
    for (const log of logs) {
      const bytes = readFileSync(fixturePath(log));
      for (let pos = 0; pos < bytes.length; ) {
        const size = bytes.readInt32BE(pos + 8) + 12;
        const original = bytes.subarray(pos, pos + size);
        const batch = new RecordBatchV2(original, pos, log);
        const again = encodeRecordBatch({
          baseOffset: batch.baseOffset,
          partitionLeaderEpoch: batch.partitionLeaderEpoch,
          producerId: batch.producerId,
          producerEpoch: batch.producerEpoch,
          baseSequence: batch.baseSequence,
          lastOffsetDelta: batch.lastOffset - batch.baseOffset,
          records: batch.records().map((r) => ({
            key: r.key,
            value: r.value,
            timestamp: r.timestamp,
            offsetDelta: r.offset - batch.baseOffset,
            headers: r.headers,
          })),
        });
        expect(again.equals(original), `${log} batch at byte ${pos}`).toBe(true);
        pos += size;
        batches++;
      }
    }
    expect(batches).toBe(11 + 11 + 10 + 28_068 + 1521 + 16 + 1 + 2 + 2 + 1 + 12_105);
  });

  it('refuses a batch with no records unless the offsets it spans are given', () => {
    expect(() => encodeRecordBatch({ baseOffset: 0, records: [] })).toThrow(RangeError);
  });

  it('writes an empty batch (as the cleaner leaves to keep producer state) when lastOffsetDelta is given', () => {
    const bytes = encodeRecordBatch({ baseOffset: 40, records: [], lastOffsetDelta: 4, producerId: 7, producerEpoch: 1, baseSequence: 12 });
    expect(bytes.length).toBe(61);
    const batch = new RecordBatchV2(bytes, 0, 'empty');
    batch.verifyChecksum();
    expect([batch.baseOffset, batch.lastOffset, batch.recordCount, batch.baseTimestamp, batch.maxTimestamp]).toEqual([40, 44, 0, -1, -1]);
    expect(batch.records()).toEqual([]);
  });
});

describe('writeBatchCrc and assignBaseOffset', () => {
  it('writeBatchCrc repairs the CRC after a covered field is stamped (LogAppendTime)', () => {
    const bytes = encodeRecordBatch({ baseOffset: 0, timestampType: 'LogAppendTime', logAppendTime: 1000, records: [{ key: null, value: Buffer.from('v'), timestamp: 5 }] });
    bytes.writeBigInt64BE(2000n, 35);
    expect(() => new RecordBatchV2(bytes, 0, 'f').verifyChecksum()).toThrow(/CRC-32C mismatch/);
    writeBatchCrc(bytes);
    const batch = new RecordBatchV2(bytes, 0, 'f');
    batch.verifyChecksum();
    expect(batch.maxTimestamp).toBe(2000);
    expect(batch.records()[0]!.timestamp).toBe(2000);
  });

  it('assignBaseOffset rewrites offset and leader epoch without touching CRC-covered bytes', () => {
    const bytes = encodeRecordBatch({ baseOffset: 0, records: [1, 2, 3].map((i) => ({ key: null, value: Buffer.from([i]), timestamp: 1000 + i })) });
    const covered = Buffer.from(bytes.subarray(17));
    assignBaseOffset(bytes, 1_725_413, 10);
    expect(bytes.subarray(17).equals(covered)).toBe(true);
    const batch = new RecordBatchV2(bytes, 0, 'f');
    batch.verifyChecksum();
    expect([batch.baseOffset, batch.lastOffset, batch.partitionLeaderEpoch]).toEqual([1_725_413, 1_725_415, 10]);
    expect(batch.records().map((r) => r.offset)).toEqual([1_725_413, 1_725_414, 1_725_415]);
  });
});

const bytesOrNull = fc.option(fc.uint8Array({ maxLength: 48 }), { nil: null, freq: 4 });
const timestampArb = fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 2 ** 42 }));
const recordArb = fc.record({
  key: bytesOrNull,
  value: bytesOrNull,
  headers: fc.array(fc.record({ key: fc.string({ unit: 'grapheme', maxLength: 8 }), value: bytesOrNull }), { maxLength: 3 }),
  timestamp: timestampArb,
});
const batchArb = fc.record({
  baseOffset: fc.integer({ min: 0, max: 2 ** 50 }),
  records: fc.array(recordArb, { minLength: 1, maxLength: 8 }),
  /** When present, the offset deltas are sparse (as compaction leaves them): gaps before each record. */
  gaps: fc.option(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 8, maxLength: 8 }), { nil: undefined }),
  trailingGap: fc.integer({ min: 0, max: 3 }),
  compression: fc.constantFrom(...ALL_CODECS),
  timestampType: fc.constantFrom('CreateTime' as const, 'LogAppendTime' as const),
  logAppendTime: fc.integer({ min: 0, max: 2 ** 42 }),
  partitionLeaderEpoch: fc.integer({ min: -1, max: 0x7fff_ffff }),
  producerId: fc.integer({ min: -1, max: Number.MAX_SAFE_INTEGER }),
  producerEpoch: fc.integer({ min: -1, max: 0x7fff }),
  baseSequence: fc.integer({ min: -1, max: 0x7fff_ffff }),
  isTransactional: fc.boolean(),
});

type BatchCase = typeof batchArb extends fc.Arbitrary<infer T> ? T : never;

function toEncode(c: BatchCase): { batch: BatchToEncode; deltas: number[]; lastOffsetDelta: number } {
  let delta = -1;
  const deltas = c.records.map((_, i) => (delta += 1 + (c.gaps ? c.gaps[i]! : 0)));
  const lastOffsetDelta = c.gaps ? delta + c.trailingGap : delta;
  const records: RecordToEncode[] = c.records.map((r, i) => ({ ...r, ...(c.gaps ? { offsetDelta: deltas[i]! } : {}) }));
  return {
    deltas,
    lastOffsetDelta,
    batch: {
      baseOffset: c.baseOffset,
      records,
      compression: c.compression,
      timestampType: c.timestampType,
      logAppendTime: c.logAppendTime,
      partitionLeaderEpoch: c.partitionLeaderEpoch,
      producerId: c.producerId,
      producerEpoch: c.producerEpoch,
      baseSequence: c.baseSequence,
      isTransactional: c.isTransactional,
      ...(c.gaps ? { lastOffsetDelta } : {}),
    },
  };
}

describe('round trips through RecordBatchV2', () => {
  it('every field of random batches reads back, for every codec and both timestamp types', () => {
    fc.assert(
      fc.property(batchArb, (c) => {
        const { batch: spec, deltas, lastOffsetDelta } = toEncode(c);
        const bytes = encodeRecordBatch(spec);
        expect(bytes.readInt32BE(8)).toBe(bytes.length - 12);
        const batch = new RecordBatchV2(bytes, AT, 'random.log');
        batch.verifyChecksum();
        expect(batch.computeCrc()).toBe(batch.storedCrc);

        const logAppend = c.timestampType === 'LogAppendTime';
        const expectedMax = logAppend ? c.logAppendTime : Math.max(-1, ...c.records.map((r) => r.timestamp));
        expect(batch.magic).toBe(2);
        expect(batch.position).toBe(AT);
        expect(batch.sizeInBytes).toBe(bytes.length);
        expect(batch.baseOffset).toBe(c.baseOffset);
        expect(batch.lastOffset).toBe(c.baseOffset + lastOffsetDelta);
        expect(batch.partitionLeaderEpoch).toBe(c.partitionLeaderEpoch);
        expect(batch.attributes).toBe(c.compression | (logAppend ? 0x08 : 0) | (c.isTransactional ? 0x10 : 0));
        expect(batch.compression).toBe(c.compression);
        expect(batch.timestampType).toBe(c.timestampType);
        expect(batch.isTransactional).toBe(c.isTransactional);
        expect(batch.isControl).toBe(false);
        expect(batch.hasDeleteHorizon).toBe(false);
        expect(batch.deleteHorizonMs).toBe(-1);
        expect(batch.baseTimestamp).toBe(c.records[0]!.timestamp);
        expect(batch.maxTimestamp).toBe(expectedMax);
        expect(batch.producerId).toBe(c.producerId);
        expect(batch.producerEpoch).toBe(c.producerEpoch);
        expect(batch.baseSequence).toBe(c.baseSequence);
        expect(batch.recordCount).toBe(c.records.length);

        const records = batch.records();
        expect(records).toHaveLength(c.records.length);
        records.forEach((record, i) => {
          const want = c.records[i]!;
          expect(record.offset).toBe(c.baseOffset + deltas[i]!);
          expect(record.timestamp).toBe(logAppend ? c.logAppendTime : want.timestamp);
          expect(record.timestampType).toBe(c.timestampType);
          expect(record.key).toEqual(want.key === null ? null : Buffer.from(want.key));
          expect(record.value).toEqual(want.value === null ? null : Buffer.from(want.value));
          expect(record.headers).toEqual(want.headers.map((h) => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value) })));
        });

        // The header-only view used by scans says the same.
        const header = parseV2Header(bytes.subarray(0, 61), AT);
        expect(header).toMatchObject({
          magic: 2,
          position: AT,
          sizeInBytes: bytes.length,
          baseOffset: batch.baseOffset,
          lastOffset: batch.lastOffset,
          partitionLeaderEpoch: batch.partitionLeaderEpoch,
          maxTimestamp: expectedMax,
          firstTimestamp: logAppend ? expectedMax : c.records[0]!.timestamp,
          timestampType: c.timestampType,
          compression: c.compression,
          isTransactional: c.isTransactional,
          isControl: false,
          producerId: c.producerId,
          recordCount: c.records.length,
        });

        // Encoding is canonical: the decoded batch encodes to the same bytes.
        const again = encodeRecordBatch({
          ...spec,
          records: records.map((r, i) => ({
            key: r.key,
            value: r.value,
            headers: r.headers,
            timestamp: logAppend ? c.records[i]!.timestamp : r.timestamp,
            offsetDelta: r.offset - c.baseOffset,
          })),
          lastOffsetDelta,
        });
        expect(again.equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it.each(ALL_CODECS.map((codec) => [codec]))('codec %i: the payload after byte 61 is the codec framing of the plain records', (codec) => {
    const records = Array.from({ length: 50 }, (_, i) => ({ key: Buffer.from(`k${i % 5}`), value: Buffer.from(`value number ${i}`.repeat(3)), timestamp: 1_700_000_000_000 + i }));
    const plain = encodeRecordBatch({ baseOffset: 0, records }).subarray(61);
    const bytes = encodeRecordBatch({ baseOffset: 0, records, compression: codec });
    expect(bytes.readInt16BE(21) & 7).toBe(codec);
    expect(decompress(codec, bytes.subarray(61), { file: 'f', position: 61 }).equals(plain)).toBe(true);
    if (codec !== CompressionCodec.None) expect(bytes.length).toBeLessThan(plain.length + 61);
    const batch = new RecordBatchV2(bytes, 0, 'f');
    batch.verifyChecksum();
    expect(batch.records().map((r) => r.value!.toString())).toEqual(records.map((r) => r.value.toString()));
  });
});

describe('special batches', () => {
  it.each([
    ['COMMIT', 1],
    ['ABORT', 0],
  ] as const)('a %s marker is a transactional control batch with one 4-byte-keyed record', (type, code) => {
    const bytes = encodeRecordBatch({
      baseOffset: 99,
      isControl: true,
      isTransactional: true,
      producerId: 4001,
      producerEpoch: 3,
      records: [{ key: encodeControlKey(type), value: encodeEndTransactionValue(17), timestamp: 1_700_000_000_123 }],
    });
    const batch = new RecordBatchV2(bytes, 0, 'markers.log');
    batch.verifyChecksum();
    expect(batch.attributes).toBe(0x30);
    expect([batch.isControl, batch.isTransactional, batch.baseSequence, batch.lastOffset, batch.recordCount]).toEqual([true, true, -1, 99, 1]);
    expect(batch.controlType()).toBe(type);
    const [record] = batch.records();
    expect(record!.key!.toString('hex')).toBe(`0000000${code}`);
    expect(record!.value!.toString('hex')).toBe('0000' + '00000011');
    expect(decodeCoordinatorEpoch(record!.value)).toBe(17);
  });

  it('the delete-horizon bit stores the horizon as base timestamp and keeps record timestamps', () => {
    const horizon = 1_700_000_086_400;
    const bytes = encodeRecordBatch({
      baseOffset: 10,
      deleteHorizonMs: horizon,
      records: [
        { key: Buffer.from('a'), value: null, timestamp: 1_700_000_000_000, offsetDelta: 0 },
        { key: Buffer.from('b'), value: null, timestamp: 1_700_000_000_500, offsetDelta: 3 },
      ],
      lastOffsetDelta: 5,
    });
    const batch = new RecordBatchV2(bytes, 0, 'f');
    batch.verifyChecksum();
    expect(batch.attributes).toBe(0x40);
    expect([batch.hasDeleteHorizon, batch.deleteHorizonMs, batch.baseTimestamp, batch.maxTimestamp]).toEqual([true, horizon, horizon, 1_700_000_000_500]);
    expect(batch.records().map((r) => [r.offset, r.timestamp, r.value])).toEqual([
      [10, 1_700_000_000_000, null],
      [13, 1_700_000_000_500, null],
    ]);
    // The scan view must not take the horizon for the first record's timestamp.
    expect(parseV2Header(bytes, 0).firstTimestamp).not.toBe(horizon);
  });
});
