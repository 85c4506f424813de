import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Attribute, BatchField } from '../batch/batch-layout';
import { encodeControlKey, encodeEndTransactionValue } from '../batch/control-record';
import { RecordBatchV2 } from '../batch/record-batch';
import { encodeRecordBatch, writeBatchCrc } from '../batch/record-batch-encoder';
import { CompressionCodec } from '../compression/compression-codec';
import { walkRawBatches } from '../log-fixtures.test-support';
import { partitionForKey } from '../partitioner/murmur2';
import { segmentFileName } from '../segment/log-segment';
import { EngineError, type EngineErrorCode } from './engine-error';
import { FakeClock, readAll, rec, recs, segmentBases, useEngines, utf8, valuesOf } from './engine.test-support';
import type { LogEngine } from './log-engine';

const engines = useEngines();

function expectCode(fn: () => unknown, code: EngineErrorCode, message?: RegExp): EngineError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected an EngineError').toBeInstanceOf(EngineError);
  const error = caught as EngineError;
  expect(error.code, error.message).toBe(code);
  if (message) expect(error.message).toMatch(message);
  return error;
}

/** Every file of a partition directory with its bytes, to prove a refused append changed nothing. */
function filesOf(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(path.join(dir, name)).toString('hex')]));
}

/** All `.log` bytes of a partition, segment after segment. */
function logBytes(partitionDir: string): Buffer {
  return Buffer.concat(segmentBases(partitionDir).map((base) => readFileSync(path.join(partitionDir, segmentFileName(base, '.log')))));
}

describe('offsets', () => {
  it('are consecutive across batches and segments, and each segment is named after its first offset', () => {
    const engine = engines.fresh();
    engine.createTopic('t', { config: { 'segment.bytes': 1000 } });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 30, maxLength: 60 }), (sizes) => {
        const start = engine.endOffset('t', 0);
        let expected = start;
        for (const size of sizes) {
          const result = engine.appendRecords('t', 0, recs(size, `b${expected}-`, { size: 8 }));
          expect(result).toMatchObject({ baseOffset: expected, lastOffset: expected + size - 1, recordCount: size, logAppendTime: -1 });
          expected += size;
        }
        expect(engine.endOffset('t', 0)).toBe(expected);
      }),
      { numRuns: 5 },
    );
    const dir = path.join(engine.dir, 't-0');
    const bases = segmentBases(dir);
    expect(bases.length).toBeGreaterThan(10);
    let next = 0;
    for (const base of bases) {
      const batches = walkRawBatches(readFileSync(path.join(dir, segmentFileName(base, '.log'))));
      expect(batches[0]!.baseOffset, `segment ${base}`).toBe(base);
      for (const batch of batches) {
        expect(batch.baseOffset).toBe(next);
        expect(batch.partitionLeaderEpoch).toBe(0);
        next = batch.lastOffset + 1;
      }
    }
    expect(next).toBe(engine.endOffset('t', 0));
    expect(readAll(engine, 't').map((r) => r.record.offset)).toEqual(Array.from({ length: next }, (_, i) => i));
  });
});

describe('produce', () => {
  it('puts a keyed record where the Java client would (murmur2, toPositive)', () => {
    const engine = engines.fresh();
    engine.createTopic('keyed', { partitions: 3 });
    // kafka-format.md section 5: "foobar" hashes negative and lands in partition 0 of 3.
    expect(engine.produce('keyed', [{ key: utf8('foobar'), value: utf8('v') }])).toEqual([{ partition: 0, baseOffset: 0, recordCount: 1 }]);
    expect(valuesOf(readAll(engine, 'keyed', 0))).toEqual(['v']);

    engine.createTopic('many', { partitions: 7 });
    const keys = Array.from({ length: 300 }, (_, i) => `customer-${i % 60}`);
    engine.produce('many', keys.map((k, i) => ({ key: utf8(k), value: utf8(`${k}#${i}`) })));
    for (let p = 0; p < 7; p++) {
      for (const r of readAll(engine, 'many', p)) {
        const key = r.record.key!;
        expect(partitionForKey(key, 7), key.toString()).toBe(p);
        expect(r.record.value!.toString().startsWith(`${key.toString()}#`)).toBe(true);
      }
    }
    // The same key always lands in the same partition, in produce order.
    const forKey = (k: string) => {
      const p = partitionForKey(utf8(k), 7);
      return valuesOf(readAll(engine, 'many', p)).filter((v) => v.startsWith(`${k}#`));
    };
    expect(forKey('customer-7')).toEqual([7, 67, 127, 187, 247].map((i) => `customer-7#${i}`));
  });

  it('spreads keyless records over the partitions, sticking to one for about 16 KiB at a time', () => {
    const engine = engines.fresh();
    engine.createTopic('free', { partitions: 4 });
    const value = Buffer.alloc(1024, 0x61);
    const chosen: number[] = [];
    for (let i = 0; i < 160; i++) chosen.push(engine.produce('free', [{ key: null, value }])[0]!.partition);
    const runs: { partition: number; length: number }[] = [];
    for (const p of chosen) {
      const last = runs[runs.length - 1];
      if (last && last.partition === p) last.length++;
      else runs.push({ partition: p, length: 1 });
    }
    // 16 records of 1 KiB fill the 16384-byte sticky batch; then the partitioner moves on.
    expect(runs.map((r) => r.length)).toEqual(Array(10).fill(16));
    expect(new Set(chosen).size).toBeGreaterThan(1);
    let total = 0;
    for (let p = 0; p < 4; p++) total += engine.endOffset('free', p);
    expect(total).toBe(160);
  });

  it('honours an explicit partition and refuses one out of range', () => {
    const engine = engines.fresh();
    engine.createTopic('t', { partitions: 3 });
    const result = engine.produce('t', [
      { key: utf8('foobar'), value: utf8('to-2'), partition: 2 },
      { key: null, value: utf8('to-1'), partition: 1 },
      { key: utf8('foobar'), value: utf8('also-2'), partition: 2 },
    ]);
    expect(result).toEqual([
      { partition: 1, baseOffset: 0, recordCount: 1 },
      { partition: 2, baseOffset: 0, recordCount: 2 },
    ]);
    expect(valuesOf(readAll(engine, 't', 2))).toEqual(['to-2', 'also-2']);
    expectCode(() => engine.produce('t', [{ key: null, value: utf8('x'), partition: 3 }]), 'UNKNOWN_TOPIC_OR_PARTITION', /partitions 0-2, not 3/);
    expectCode(() => engine.produce('t', [{ key: null, value: utf8('x'), partition: -1 }]), 'UNKNOWN_TOPIC_OR_PARTITION');
    expect([0, 1, 2].map((p) => engine.endOffset('t', p))).toEqual([0, 1, 2]);
  });

  it('a refused produce() stores nothing in any partition (a caller retrying it must not duplicate records)', () => {
    const engine = engines.fresh();
    engine.createTopic('t', { partitions: 3, config: { 'max.message.bytes': 200 } });
    expectCode(() => engine.produce('t', [
      { key: null, value: utf8('fits'), partition: 0 },
      { key: null, value: Buffer.alloc(500), partition: 2 },
    ]), 'MESSAGE_TOO_LARGE');
    expect([0, 1, 2].map((p) => engine.endOffset('t', p))).toEqual([0, 0, 0]);
  });

  it('creates a missing topic with createPartitions, and stamps records with the clock by default', () => {
    const clock = new FakeClock(1_650_000_000_000);
    const engine = engines.fresh({ now: clock.now });
    expectCode(() => engine.produce('auto', [{ key: null, value: utf8('x') }]), 'UNKNOWN_TOPIC_OR_PARTITION', /'auto'/);
    engine.produce('auto', [{ key: utf8('k'), value: utf8('x'), headers: [{ key: 'h', value: utf8('hv') }] }, { key: utf8('k'), value: null, timestamp: 5 }], { createPartitions: 2, compression: CompressionCodec.Gzip });
    expect(engine.describeTopic('auto')!.partitions).toBe(2);
    const [first, second] = readAll(engine, 'auto', partitionForKey(utf8('k'), 2));
    expect(first!.record).toMatchObject({ timestamp: 1_650_000_000_000, headers: [{ key: 'h', value: utf8('hv') }] });
    expect(first!.batch.compression).toBe(CompressionCodec.Gzip);
    expect(second!.record).toMatchObject({ timestamp: 5, value: null });
  });
});

describe('appendBatch', () => {
  it.each([CompressionCodec.None, CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd])(
    'stores the producer bytes verbatim except the base offset and leader epoch (codec %i)',
    (compression) => {
      const engine = engines.fresh();
      engine.createTopic('t');
      engine.appendRecords('t', 0, recs(3, 'before'));
      const produced = encodeRecordBatch({
        baseOffset: 0,
        partitionLeaderEpoch: -1,
        producerId: 4242,
        producerEpoch: 3,
        baseSequence: 17,
        compression,
        records: [
          { key: utf8('k1'), value: utf8('v1'), timestamp: 1_700_000_000_123, headers: [{ key: 'trace', value: utf8('abc') }, { key: 'nil', value: null }] },
          { key: null, value: null, timestamp: 1_700_000_000_100 },
          { key: utf8('k3'), value: Buffer.alloc(300, 7), timestamp: 1_700_000_000_200 },
        ],
      });
      const original = Buffer.from(produced);
      const result = engine.appendBatch('t', 0, produced);
      expect(result).toEqual({ baseOffset: 3, lastOffset: 5, recordCount: 3, logAppendTime: -1 });
      const stored = logBytes(path.join(engine.dir, 't-0'));
      const raw = walkRawBatches(stored);
      const last = raw[raw.length - 1]!;
      const expected = Buffer.from(original);
      expected.writeBigInt64BE(3n, BatchField.baseOffset);
      expected.writeInt32BE(0, BatchField.partitionLeaderEpoch);
      expect(stored.subarray(last.position, last.position + last.size).toString('hex')).toBe(expected.toString('hex'));
      // The CRC the producer computed still holds: neither patched field is covered by it.
      new RecordBatchV2(expected, 0, 'stored').verifyChecksum();
      const records = readAll(engine, 't').slice(3);
      expect(records.map((r) => [r.record.offset, r.record.key?.toString() ?? null, r.record.value?.length ?? null, r.record.timestamp])).toEqual([
        [3, 'k1', 2, 1_700_000_000_123],
        [4, null, null, 1_700_000_000_100],
        [5, 'k3', 300, 1_700_000_000_200],
      ]);
      expect(records[0]!.record.headers).toEqual([{ key: 'trace', value: utf8('abc') }, { key: 'nil', value: null }]);
      expect(records[0]!.batch).toMatchObject({ producerId: 4242, producerEpoch: 3, baseSequence: 17 });
    },
  );

  it('stamps LogAppendTime topics: attribute bit 3, maxTimestamp = now, a valid CRC, every record at the append time', () => {
    const clock = new FakeClock(1_720_000_000_000);
    const engine = engines.fresh({ now: clock.now });
    engine.createTopic('lat', { config: { 'message.timestamp.type': 'LogAppendTime' } });
    const produced = encodeRecordBatch({ baseOffset: 0, compression: CompressionCodec.Lz4, records: [rec('a', 1000), rec('b', 2000), rec('c', 1500)] });
    const result = engine.appendBatch('lat', 0, produced);
    expect(result.logAppendTime).toBe(1_720_000_000_000);
    clock.advance(5000);
    expect(engine.appendRecords('lat', 0, [rec('d', 1)]).logAppendTime).toBe(1_720_000_005_000);

    const raw = walkRawBatches(logBytes(path.join(engine.dir, 'lat-0')));
    expect(raw.map((b) => [b.attributes & Attribute.timestampTypeLogAppend, b.maxTimestamp])).toEqual([
      [Attribute.timestampTypeLogAppend, 1_720_000_000_000],
      [Attribute.timestampTypeLogAppend, 1_720_000_005_000],
    ]);
    expect(raw[0]!.attributes & Attribute.compressionMask).toBe(CompressionCodec.Lz4);
    const bytes = logBytes(path.join(engine.dir, 'lat-0'));
    for (const b of raw) new RecordBatchV2(bytes.subarray(b.position, b.position + b.size), b.position, 'lat-0').verifyChecksum();
    const records = readAll(engine, 'lat');
    expect(records.map((r) => [r.record.value!.toString(), r.record.timestamp, r.record.timestampType])).toEqual([
      ['a', 1_720_000_000_000, 'LogAppendTime'],
      ['b', 1_720_000_000_000, 'LogAppendTime'],
      ['c', 1_720_000_000_000, 'LogAppendTime'],
      ['d', 1_720_000_005_000, 'LogAppendTime'],
    ]);
    expect(engine.offsetForTimestamp('lat', 0, 1_720_000_000_001)).toBe(3);
  });

  it('keeps CreateTime batches exactly as the producer timed them', () => {
    const engine = engines.fresh({ now: () => 42 });
    engine.createTopic('ct');
    engine.appendRecords('ct', 0, [rec('a', 1000), rec('b', 3000), rec('c', 2000)]);
    const [batch] = walkRawBatches(logBytes(path.join(engine.dir, 'ct-0')));
    expect(batch).toMatchObject({ attributes: 0, baseTimestamp: 1000, maxTimestamp: 3000 });
  });
});

describe('refused appends', () => {
  /** A partition with some data, and a way to check that a refused append left it as it was. */
  function prepared(config: Record<string, string | number> = {}): { engine: LogEngine; unchanged(): void } {
    const engine = engines.fresh();
    engine.createTopic('t', { partitions: 2, config: { 'segment.bytes': 600, ...config } });
    for (let i = 0; i < 6; i++) engine.appendRecords('t', 0, recs(2, `r${i}-`, { size: 40 }));
    const dir = path.join(engine.dir, 't-0');
    const files = filesOf(dir);
    const records = readAll(engine, 't').map((r) => `${r.record.offset}:${r.record.value!.toString()}`);
    const end = engine.endOffset('t', 0);
    return {
      engine,
      unchanged() {
        expect(engine.endOffset('t', 0)).toBe(end);
        expect(readAll(engine, 't').map((r) => `${r.record.offset}:${r.record.value!.toString()}`)).toEqual(records);
        expect(filesOf(dir)).toEqual(files);
        // And the partition still takes appends at the same offset.
        expect(engine.appendRecords('t', 0, [rec('after')]).baseOffset).toBe(end);
      },
    };
  }

  const good = () => encodeRecordBatch({ baseOffset: 0, records: [rec('x', 1), rec('y', 2), rec('z', 3)] });

  it('a CRC mismatch is CORRUPT_MESSAGE', () => {
    const { engine, unchanged } = prepared();
    const batch = good();
    batch[batch.length - 2]! ^= 0x10;
    expectCode(() => engine.appendBatch('t', 0, batch), 'CORRUPT_MESSAGE', /CRC-32C mismatch/);
    unchanged();
  });

  it('a batch whose length field disagrees with its bytes, or that is not v2, is CORRUPT_MESSAGE', () => {
    const { engine, unchanged } = prepared();
    const truncated = good().subarray(0, 70);
    expectCode(() => engine.appendBatch('t', 0, Buffer.from(truncated)), 'CORRUPT_MESSAGE');
    const tiny = Buffer.alloc(20);
    expectCode(() => engine.appendBatch('t', 0, tiny), 'CORRUPT_MESSAGE');
    const magic1 = good();
    magic1.writeInt8(1, BatchField.magic);
    expectCode(() => engine.appendBatch('t', 0, magic1), 'CORRUPT_MESSAGE', /magic/);
    unchanged();
  });

  it('a control batch is INVALID_RECORD: producers may not write transaction markers', () => {
    const { engine, unchanged } = prepared();
    const marker = encodeRecordBatch({ baseOffset: 0, isControl: true, isTransactional: true, producerId: 9, producerEpoch: 0, records: [{ key: encodeControlKey('COMMIT'), value: encodeEndTransactionValue(0), timestamp: 1 }] });
    expectCode(() => engine.appendBatch('t', 0, marker), 'INVALID_RECORD', /control/);
    unchanged();
  });

  it('a record count below lastOffsetDelta + 1, or zero, is INVALID_RECORD', () => {
    const { engine, unchanged } = prepared();
    const fewer = good();
    fewer.writeInt32BE(2, BatchField.recordCount);
    writeBatchCrc(fewer);
    expectCode(() => engine.appendBatch('t', 0, fewer), 'INVALID_RECORD');
    const zero = good();
    zero.writeInt32BE(0, BatchField.recordCount);
    zero.writeInt32BE(-1, BatchField.lastOffsetDelta);
    writeBatchCrc(zero);
    expect(() => engine.appendBatch('t', 0, zero)).toThrow(EngineError);
    unchanged();
  });

  it('a record count above lastOffsetDelta + 1 is INVALID_RECORD too, as Kafka (LogValidator) says', () => {
    const { engine, unchanged } = prepared();
    const more = good();
    more.writeInt32BE(4, BatchField.recordCount);
    writeBatchCrc(more);
    expectCode(() => engine.appendBatch('t', 0, more), 'INVALID_RECORD');
    unchanged();
  });

  it('a batch whose records do not match its header count is INVALID_RECORD (Kafka decodes every record on append)', () => {
    const { engine, unchanged } = prepared();
    // Header: 3 records, offsets 0-2; payload: only 2 records. CRC recomputed, so only decoding can tell.
    const two = encodeRecordBatch({ baseOffset: 0, records: [rec('x', 1), rec('y', 2)] });
    two.writeInt32BE(3, BatchField.recordCount);
    two.writeInt32BE(2, BatchField.lastOffsetDelta);
    writeBatchCrc(two);
    expectCode(() => engine.appendBatch('t', 0, two), 'INVALID_RECORD');
    // Garbage where records should be, with a valid CRC over it.
    const garbage = good();
    garbage.fill(0xff, 61);
    writeBatchCrc(garbage);
    expectCode(() => engine.appendBatch('t', 0, garbage), 'INVALID_RECORD');
    unchanged();
  });

  it('a batch over max.message.bytes is MESSAGE_TOO_LARGE; one at the limit is taken', () => {
    const { engine, unchanged } = prepared({ 'max.message.bytes': 200 });
    const big = encodeRecordBatch({ baseOffset: 0, records: [rec('x'.repeat(200), 1)] });
    expectCode(() => engine.appendBatch('t', 0, big), 'MESSAGE_TOO_LARGE', new RegExp(`${big.length} bytes.*max\\.message\\.bytes of 200`));
    expectCode(() => engine.appendRecords('t', 0, [rec('x'.repeat(200), 1)]), 'MESSAGE_TOO_LARGE');
    unchanged();
    let fill = 100;
    let exact = encodeRecordBatch({ baseOffset: 0, records: [rec('y'.repeat(fill), 1)] });
    while (exact.length < 200) exact = encodeRecordBatch({ baseOffset: 0, records: [rec('y'.repeat(++fill), 1)] });
    expect(exact.length).toBe(200);
    expect(engine.appendBatch('t', 0, exact).recordCount).toBe(1);
  });

  it('an unknown topic or partition is UNKNOWN_TOPIC_OR_PARTITION', () => {
    const { engine, unchanged } = prepared();
    expectCode(() => engine.appendBatch('nope', 0, good()), 'UNKNOWN_TOPIC_OR_PARTITION', /unknown topic 'nope'/);
    expectCode(() => engine.appendBatch('t', 2, good()), 'UNKNOWN_TOPIC_OR_PARTITION', /partitions 0-1, not 2/);
    expectCode(() => engine.appendRecords('t', -1, [rec('x')]), 'UNKNOWN_TOPIC_OR_PARTITION');
    expectCode(() => engine.read('t', 5, { fromOffset: 0 }), 'UNKNOWN_TOPIC_OR_PARTITION');
    unchanged();
  });

  it('an empty append is INVALID_RECORD, and a closed engine says CLOSED', () => {
    const { engine, unchanged } = prepared();
    expectCode(() => engine.appendRecords('t', 0, []), 'INVALID_RECORD');
    unchanged();
    engine.close();
    expectCode(() => engine.appendRecords('t', 0, [rec('late')]), 'CLOSED');
    expectCode(() => engine.createTopic('later'), 'CLOSED');
  });
});

describe('timestamps that are not times', () => {
  it('a batch with a timestamp beyond the Date range, or below -1, is INVALID_RECORD and nothing is stored', () => {
    const engine = engines.fresh();
    engine.createTopic('t');
    expectCode(() => engine.appendRecords('t', 0, [{ key: null, value: Buffer.from('x'), timestamp: 2 ** 53 - 1 }]), 'INVALID_RECORD', /timestamp 9007199254740991 of the batch for t-0 is not a time/);
    expectCode(() => engine.appendRecords('t', 0, [{ key: null, value: Buffer.from('x'), timestamp: -5 }]), 'INVALID_RECORD', /is not a time/);
    expect(engine.endOffset('t', 0)).toBe(0);
    engine.appendRecords('t', 0, [{ key: null, value: Buffer.from('x'), timestamp: -1 }]);
    expect(engine.endOffset('t', 0)).toBe(1);
  });
});
