import { cpSync, existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeControlKey, encodeEndTransactionValue } from '../batch/control-record';
import { RecordBatchV2 } from '../batch/record-batch';
import { type BatchToEncode, encodeRecordBatch } from '../batch/record-batch-encoder';
import { CompressionCodec } from '../compression/compression-codec';
import { LogFormatError } from '../errors';
import { encodeLegacyCompressedWrapper, encodeLegacyMessage } from '../legacy/legacy-message-writer';
import { FIXTURE_LOGS, useTempDirs } from '../log-fixtures.test-support';
import { parseOffsetCheckpoint } from '../logdir/checkpoint-file';
import { PartitionLog } from '../partition/partition-log';
import { parseV2Header } from '../segment/batch-header';
import { scanBatchHeaders, scanBatches } from '../segment/batch-scanner';
import { IndexBuilder } from '../segment/index-builder';
import { segmentFileName } from '../segment/log-segment';
import { SegmentFile } from '../segment/segment-file';
import { type CompactionConfig, compactionConfig } from './compaction-config';
import { type CleanerStep, CompactionStoppedError, compactPartition, recoverCompaction } from './log-cleaner';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;
const ALL_CODECS = [CompressionCodec.None, CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd] as const;

const { make, copyFixture } = useTempDirs();

interface Write {
  readonly key: string | null;
  readonly value: string | null;
  readonly timestamp?: number;
}

/** A data record as a consumer reads it, text for key and value. */
interface Rec {
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly timestamp: number;
}

type BatchOptions = Omit<BatchToEncode, 'baseOffset' | 'records'>;

const bytes = (text: string | null) => (text === null ? null : Buffer.from(text));

/** Builds segments batch by batch with consecutive offsets, remembering every data record written. */
class LogBuilder {
  readonly segments: { base: number; batches: Buffer[] }[] = [];
  readonly written: Rec[] = [];

  constructor(private next = 0) {}

  get nextOffset(): number {
    return this.next;
  }

  segment(): this {
    this.segments.push({ base: this.next, batches: [] });
    return this;
  }

  batch(writes: readonly Write[], options: BatchOptions = {}): this {
    const base = this.next;
    const records = writes.map((w, i) => ({ offset: base + i, key: w.key, value: w.value, timestamp: w.timestamp ?? T0 + (base + i) * 1000 }));
    this.push(
      encodeRecordBatch({
        ...options,
        baseOffset: base,
        records: records.map((r, i) => ({ key: bytes(r.key), value: bytes(r.value), timestamp: r.timestamp, offsetDelta: i })),
      }),
    );
    this.written.push(...records);
    this.next += writes.length;
    return this;
  }

  marker(producerId: number, type: 'COMMIT' | 'ABORT'): this {
    this.push(
      encodeRecordBatch({
        baseOffset: this.next,
        isControl: true,
        isTransactional: true,
        producerId,
        producerEpoch: 0,
        records: [{ key: encodeControlKey(type), value: encodeEndTransactionValue(3), timestamp: T0 + this.next * 1000 }],
      }),
    );
    this.next++;
    return this;
  }

  segmentSize(base: number): number {
    return this.segments.find((s) => s.base === base)!.batches.reduce((sum, b) => sum + b.length, 0);
  }

  /** Writes every segment (from `fromSegment`) with Kafka-rule indexes; returns their bases. */
  write(dir: string, indexIntervalBytes = 4096, fromSegment = 0): number[] {
    const segments = this.segments.slice(fromSegment);
    for (const { base, batches } of segments) writeSegment(dir, base, batches, indexIntervalBytes);
    return segments.map((s) => s.base);
  }

  private push(batch: Buffer): void {
    const segment = this.segments[this.segments.length - 1];
    if (!segment) throw new Error('call segment() first');
    segment.batches.push(batch);
  }
}

/** A sealed segment that keeps the batches' own offsets (writeSealedSegment would renumber them). */
function writeSegment(dir: string, base: number, batches: readonly Buffer[], indexIntervalBytes: number): void {
  const builder = new IndexBuilder(base, indexIntervalBytes);
  let position = 0;
  for (const batch of batches) {
    builder.add(parseV2Header(batch, position));
    position += batch.length;
  }
  const { offsetIndex, timeIndex } = builder.seal();
  writeFileSync(path.join(dir, segmentFileName(base, '.log')), Buffer.concat(batches));
  writeFileSync(path.join(dir, segmentFileName(base, '.index')), offsetIndex.toBuffer());
  writeFileSync(path.join(dir, segmentFileName(base, '.timeindex')), timeIndex.toBuffer());
}

function segmentBases(dir: string): number[] {
  return readdirSync(dir)
    .map((name) => /^(\d{20})\.log$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

function withLog<T>(dir: string, fn: (log: PartitionLog) => T): T {
  const log = new PartitionLog(dir, 't', 0, { onWarning: (w) => expect.fail(`unexpected warning: ${w.file} ${w.message}`) });
  try {
    return fn(log);
  } finally {
    log.close();
  }
}

function readLog(dir: string): Rec[] {
  return withLog(dir, (log) =>
    [...log.records({ fromOffset: 0 })].map(({ record }) => ({
      offset: record.offset,
      key: record.key === null ? null : record.key.toString(),
      value: record.value === null ? null : record.value.toString(),
      timestamp: record.timestamp,
    })),
  );
}

function readBatches(dir: string): RecordBatchV2[] {
  return withLog(dir, (log) => [...log.batches(0)].filter((b): b is RecordBatchV2 => b instanceof RecordBatchV2));
}

function nextOffset(dir: string): number {
  return withLog(dir, (log) => log.nextOffset());
}

function controls(dir: string): { offset: number; type: string; deleteHorizonMs: number }[] {
  return readBatches(dir)
    .filter((b) => b.isControl && b.recordCount > 0)
    .map((b) => ({ offset: b.baseOffset, type: b.controlType(), deleteHorizonMs: b.deleteHorizonMs }));
}

/** The latest record of each key, in offset order; tombstones only when asked for. */
function latestPerKey(written: readonly Rec[], withTombstones: boolean): Rec[] {
  const last = new Map<string, Rec>();
  for (const r of written) if (r.key !== null) last.set(r.key, r);
  return [...last.values()].filter((r) => withTombstones || r.value !== null).sort((a, b) => a.offset - b.offset);
}

/**
 * Every `.log` in `dir` scans with valid CRCs and decodable records, and its `.index` and
 * `.timeindex` are exactly what IndexBuilder rebuilds from it.
 */
function checkSegments(dir: string, indexIntervalBytes = 4096): void {
  for (const base of segmentBases(dir)) {
    const file = new SegmentFile(path.join(dir, segmentFileName(base, '.log')));
    try {
      const builder = new IndexBuilder(base, indexIntervalBytes);
      const strict = { verifyChecksums: true, onWarning: (w: { message: string }) => expect.fail(w.message) };
      for (const batch of scanBatches(file, 0, strict)) {
        batch.verifyChecksum();
        batch.records();
      }
      for (const header of scanBatchHeaders(file, 0, strict)) builder.add(header);
      const { offsetIndex, timeIndex } = builder.seal();
      expect(readFileSync(path.join(dir, segmentFileName(base, '.index'))).equals(offsetIndex.toBuffer()), `${base}.index`).toBe(true);
      expect(readFileSync(path.join(dir, segmentFileName(base, '.timeindex'))).equals(timeIndex.toBuffer()), `${base}.timeindex`).toBe(true);
    } finally {
      file.close();
    }
  }
}

function compact(dir: string, now: number, overrides: Partial<CompactionConfig> & { firstDirtyOffset?: number } = {}) {
  const { firstDirtyOffset, ...config } = overrides;
  return compactPartition(dir, segmentBases(dir), { now, config: compactionConfig(config), ...(firstDirtyOffset === undefined ? {} : { firstDirtyOffset }) });
}

const rec = (offset: number, key: string | null, value: string | null): Rec => ({ offset, key, value, timestamp: T0 + offset * 1000 });

describe('compactPartition keeps the latest record of each key', () => {
  function mixedLog(): LogBuilder {
    return new LogBuilder()
      .segment()
      .batch([
        { key: 'a', value: 'a1' },
        { key: 'b', value: 'b1' },
        { key: 'a', value: 'a2' },
      ])
      .batch([{ key: 'c', value: 'c1' }])
      .segment()
      .batch(
        [
          { key: 'b', value: 'b2' },
          { key: 'a', value: 'a3' },
          { key: 'b', value: 'b3' },
        ],
        { producerId: 42, producerEpoch: 3, baseSequence: 7, partitionLeaderEpoch: 5 },
      )
      .batch(
        [
          { key: 'j', value: 'j1' },
          { key: 'k', value: 'k1' },
          { key: 'l', value: 'l1' },
        ],
        { compression: CompressionCodec.Gzip, partitionLeaderEpoch: 5 },
      )
      .segment()
      .batch([{ key: 'k', value: 'k2' }]);
  }

  it('at the original offsets, leaving gaps inside and between batches, and merges the small segments', () => {
    const dir = make();
    const log = mixedLog();
    const bases = log.write(dir);
    const endBefore = nextOffset(dir);

    const report = compactPartition(dir, bases, { now: T0 + DAY, config: compactionConfig() });

    const expected = [rec(3, 'c', 'c1'), rec(5, 'a', 'a3'), rec(6, 'b', 'b3'), rec(7, 'j', 'j1'), rec(9, 'l', 'l1'), rec(10, 'k', 'k2')];
    expect(readLog(dir)).toEqual(expected);
    expect(latestPerKey(log.written, true)).toEqual(expected);
    expect(nextOffset(dir)).toBe(endBefore);
    expect(readdirSync(dir).sort()).toEqual([segmentFileName(0, '.index'), segmentFileName(0, '.log'), segmentFileName(0, '.timeindex')]);
    checkSegments(dir);

    const batches = readBatches(dir);
    expect(batches.map((b) => [b.baseOffset, b.lastOffset, b.recordCount])).toEqual([
      [3, 3, 1],
      [4, 6, 2],
      [7, 9, 2],
      [10, 10, 1],
    ]);
    // A batch that keeps all its records is the very same bytes.
    expect(batches[0]!.bytes.equals(log.segments[0]!.batches[1]!)).toBe(true);
    expect(batches[3]!.bytes.equals(log.segments[2]!.batches[0]!)).toBe(true);
    // A rewritten batch keeps its header facts.
    expect(batches[1]).toMatchObject({ producerId: 42, producerEpoch: 3, baseSequence: 7, partitionLeaderEpoch: 5, compression: CompressionCodec.None, hasDeleteHorizon: false });
    expect(batches[2]).toMatchObject({ compression: CompressionCodec.Gzip, partitionLeaderEpoch: 5, baseTimestamp: T0 + 7000, maxTimestamp: T0 + 9000 });

    const sizeOf = (base: number) => log.segmentSize(base);
    expect(report).toEqual({
      segmentsCleaned: 3,
      cleanedSegments: [0, 4, 10],
      outputSegments: [0],
      recordsBefore: 11,
      recordsAfter: 6,
      bytesBefore: sizeOf(0) + sizeOf(4) + sizeOf(10),
      bytesAfter: readFileSync(path.join(dir, segmentFileName(0, '.log'))).length,
      tombstonesRemoved: 0,
      keylessRecordsRemoved: 0,
      abortedRecordsRemoved: 0,
      markersRemoved: 0,
      deleteHorizonsSet: 0,
      firstDirtyOffset: 11,
    });
  });

  it('keeps segments apart when merging them would pass segment.bytes', () => {
    const dir = make();
    const bases = mixedLog().write(dir);
    const report = compactPartition(dir, bases, { now: T0 + DAY, config: compactionConfig({ maxSegmentBytes: 14 }) });
    expect(report.outputSegments).toEqual([0, 4, 10]);
    expect(segmentBases(dir)).toEqual([0, 4, 10]);
    expect(readLog(dir).map((r) => r.offset)).toEqual([3, 5, 6, 7, 9, 10]);
    checkSegments(dir);
  });

  it('merges adjacent segments while their total stays within segment.bytes', () => {
    const dir = make();
    const log = new LogBuilder();
    for (let s = 0; s < 4; s++) log.segment().batch([{ key: `k${s}`, value: 'x'.repeat(40) }]);
    const bases = log.write(dir);
    const size = log.segmentSize(0);
    const report = compactPartition(dir, bases, { now: T0 + DAY, config: compactionConfig({ maxSegmentBytes: 2 * size }) });
    expect(report.outputSegments).toEqual([0, 2]);
    expect(segmentBases(dir)).toEqual([0, 2]);
    expect(existsSync(path.join(dir, segmentFileName(1, '.index')))).toBe(false);
    expect(readFileSync(path.join(dir, segmentFileName(0, '.log'))).equals(Buffer.concat([...log.segments[0]!.batches, ...log.segments[1]!.batches]))).toBe(true);
    expect(readLog(dir)).toEqual(log.written);
    checkSegments(dir);
  });

  it('drops keyless data records, and batches they leave empty', () => {
    const dir = make();
    new LogBuilder()
      .segment()
      .batch([
        { key: null, value: 'x' },
        { key: 'a', value: '1' },
      ])
      .batch([{ key: null, value: 'y' }])
      .batch([{ key: 'b', value: '2' }])
      .write(dir);
    const report = compact(dir, T0 + DAY);
    expect(readLog(dir)).toEqual([rec(1, 'a', '1'), rec(3, 'b', '2')]);
    expect(readBatches(dir).map((b) => b.baseOffset)).toEqual([0, 3]);
    expect(report.keylessRecordsRemoved).toBe(2);
    checkSegments(dir);
  });

  it("keeps the cleaned range's last batch even when emptied, so the log end offset stays", () => {
    const dir = make();
    new LogBuilder()
      .segment()
      .batch([{ key: 'a', value: '1' }])
      .segment()
      .batch([{ key: 'b', value: '1' }])
      .batch(
        [
          { key: null, value: 'z' },
          { key: null, value: 'w' },
        ],
        { compression: CompressionCodec.Zstd, producerId: 9, producerEpoch: 1, baseSequence: 4 },
      )
      .write(dir);
    const endBefore = nextOffset(dir);
    compact(dir, T0 + DAY);
    expect(nextOffset(dir)).toBe(endBefore);
    expect(endBefore).toBe(4);
    expect(readLog(dir)).toEqual([rec(0, 'a', '1'), rec(1, 'b', '1')]);
    const last = readBatches(dir).at(-1)!;
    expect(last).toMatchObject({ baseOffset: 2, lastOffset: 3, recordCount: 0, producerId: 9, producerEpoch: 1, baseSequence: 4, maxTimestamp: T0 + 3000 });
    checkSegments(dir);
    // A later pass keeps it too, and one that is no longer last is dropped.
    compact(dir, T0 + DAY);
    expect(readBatches(dir).at(-1)!.bytes.equals(last.bytes)).toBe(true);
    new LogBuilder(4).segment().batch([{ key: 'c', value: '1' }]).write(dir);
    compact(dir, T0 + DAY);
    expect(readBatches(dir).map((b) => b.baseOffset)).toEqual([0, 1, 4]);
    expect(nextOffset(dir)).toBe(5);
  });

  it('cleans every codec, keeping the codec of rewritten batches', () => {
    for (const codec of ALL_CODECS) {
      const dir = make();
      const value = (n: number) => `value-${n}-`.repeat(20);
      new LogBuilder()
        .segment()
        .batch(
          [
            { key: 'a', value: value(1) },
            { key: 'b', value: value(2) },
            { key: 'c', value: value(3) },
            { key: 'a', value: value(4) },
          ],
          { compression: codec },
        )
        .segment()
        .batch(
          [
            { key: 'b', value: value(5) },
            { key: 'd', value: value(6) },
          ],
          { compression: codec },
        )
        .batch([{ key: 'c', value: null }], { compression: codec })
        .write(dir);
      compact(dir, T0 + DAY);
      expect(readLog(dir), `codec ${codec}`).toEqual([rec(3, 'a', value(4)), rec(4, 'b', value(5)), rec(5, 'd', value(6)), rec(6, 'c', null)]);
      const batches = readBatches(dir);
      expect(batches.map((b) => b.compression)).toEqual([codec, codec, codec]);
      expect(batches.map((b) => [b.baseOffset, b.lastOffset, b.recordCount, b.hasDeleteHorizon])).toEqual([
        [0, 3, 1, false],
        [4, 5, 2, false],
        [6, 6, 1, true],
      ]);
      checkSegments(dir);
    }
  });

  it('keeps LogAppendTime batches LogAppendTime, with the append time for every record', () => {
    const dir = make();
    const appendTime = T0 + 50_000;
    new LogBuilder()
      .segment()
      .batch(
        [
          { key: 'a', value: '1' },
          { key: 'b', value: null },
          { key: 'a', value: '2' },
        ],
        { timestampType: 'LogAppendTime', logAppendTime: appendTime, compression: CompressionCodec.Lz4 },
      )
      .write(dir);
    compact(dir, T0 + DAY);
    const [batch] = readBatches(dir);
    expect(batch).toMatchObject({ timestampType: 'LogAppendTime', maxTimestamp: appendTime, compression: CompressionCodec.Lz4, deleteHorizonMs: T0 + 2 * DAY, recordCount: 2 });
    expect(readLog(dir)).toEqual([
      { offset: 1, key: 'b', value: null, timestamp: appendTime },
      { offset: 2, key: 'a', value: '2', timestamp: appendTime },
    ]);
    checkSegments(dir);
  });

  it('cleans uncompressed legacy messages (keeping tombstones) and copies compressed legacy wrappers whole', () => {
    const dir = make();
    const legacy = (offset: number, key: string | null, value: string | null) => encodeLegacyMessage({ offset, magic: 1, timestamp: T0 + offset * 1000, key: bytes(key), value: bytes(value) });
    const messages = [legacy(0, 'a', '1'), legacy(1, 'b', '1'), legacy(2, null, 'x'), legacy(3, 'c', null)];
    const wrapper = encodeLegacyCompressedWrapper({
      magic: 1,
      wrapperOffset: 5,
      codec: CompressionCodec.Gzip,
      records: [
        { key: bytes('d'), value: bytes('1'), timestamp: T0 + 4000 },
        { key: bytes('d'), value: bytes('2'), timestamp: T0 + 5000 },
      ],
    });
    // Legacy segments often have no index files; compaction does not need them.
    writeFileSync(path.join(dir, segmentFileName(0, '.log')), Buffer.concat([...messages, wrapper]));
    new LogBuilder(6)
      .segment()
      .batch([
        { key: 'a', value: '2' },
        { key: 'd', value: '3' },
      ])
      .write(dir);
    const report = compact(dir, T0 + DAY);
    expect(readLog(dir)).toEqual([rec(1, 'b', '1'), rec(3, 'c', null), rec(4, 'd', '1'), rec(5, 'd', '2'), rec(6, 'a', '2'), rec(7, 'd', '3')]);
    expect(report).toMatchObject({ keylessRecordsRemoved: 1, recordsBefore: 8, recordsAfter: 6 });
    const log = readFileSync(path.join(dir, segmentFileName(0, '.log')));
    expect(log.subarray(0, messages[1]!.length + messages[3]!.length + wrapper.length).equals(Buffer.concat([messages[1]!, messages[3]!, wrapper]))).toBe(true);
    checkSegments(dir);
  });

  it('writes indexes equal to what IndexBuilder rebuilds from the cleaned log', () => {
    const dir = make();
    const log = new LogBuilder().segment();
    for (let i = 0; i < 150; i++) log.batch([{ key: `k${i}`, value: 'v'.repeat(30) }]);
    log.segment();
    for (let i = 0; i < 150; i += 2) log.batch([{ key: `k${i}`, value: 'w'.repeat(30) }]);
    log.write(dir, 256);
    compact(dir, T0 + DAY, { indexIntervalBytes: 256 });
    expect(segmentBases(dir)).toEqual([0]);
    expect(readFileSync(path.join(dir, segmentFileName(0, '.index'))).length).toBeGreaterThan(8 * 10);
    checkSegments(dir, 256);
    expect(readLog(dir)).toEqual(latestPerKey(log.written, true));
  });
});

describe('tombstones', () => {
  function tombstoneLog(): LogBuilder {
    return new LogBuilder()
      .segment()
      .batch([
        { key: 'a', value: '1' },
        { key: 'b', value: '1' },
      ])
      .batch([
        { key: 'c', value: '1' },
        { key: 'e', value: null },
      ])
      .segment()
      .batch([
        { key: 'a', value: null },
        { key: 'c', value: '2' },
      ])
      .batch([
        { key: 'd', value: '1' },
        { key: 'e', value: '2' },
      ]);
  }

  it('are kept with a delete horizon on the first pass and removed once it has passed', () => {
    const dir = make();
    tombstoneLog().write(dir);
    const now1 = T0 + 10_000;
    const first = compact(dir, now1);
    expect(readLog(dir)).toEqual([rec(1, 'b', '1'), rec(4, 'a', null), rec(5, 'c', '2'), rec(6, 'd', '1'), rec(7, 'e', '2')]);
    expect(first).toMatchObject({ tombstonesRemoved: 1, deleteHorizonsSet: 1 });
    const stamped = readBatches(dir).find((b) => b.baseOffset === 4)!;
    expect(stamped).toMatchObject({ hasDeleteHorizon: true, deleteHorizonMs: now1 + DAY, baseTimestamp: now1 + DAY, maxTimestamp: T0 + 5000 });
    // Record timestamps are stored relative to the horizon and still read back as written.
    expect(stamped.records().map((r) => r.timestamp)).toEqual([T0 + 4000, T0 + 5000]);
    checkSegments(dir);

    // Before the horizon nothing changes, and the horizon is not moved.
    const second = compact(dir, now1 + DAY - 1);
    expect(second).toMatchObject({ tombstonesRemoved: 0, deleteHorizonsSet: 0 });
    expect(readBatches(dir).find((b) => b.baseOffset === 4)!.bytes.equals(stamped.bytes)).toBe(true);

    const third = compact(dir, now1 + DAY);
    expect(third).toMatchObject({ tombstonesRemoved: 1, deleteHorizonsSet: 0 });
    expect(readLog(dir)).toEqual([rec(1, 'b', '1'), rec(5, 'c', '2'), rec(6, 'd', '1'), rec(7, 'e', '2')]);
    // The rewritten batch keeps its (past) horizon, as Kafka does.
    expect(readBatches(dir).find((b) => b.baseOffset === 4)).toMatchObject({ lastOffset: 5, recordCount: 1, deleteHorizonMs: now1 + DAY });
    expect(nextOffset(dir)).toBe(8);
    checkSegments(dir);
  });

  it('in the real fixture kafka-3.7-kraft/__consumer_offsets-44 delete the group records they cover', () => {
    const dir = copyFixture('kafka-3.7-kraft/__consumer_offsets-44');
    const checkpoint = parseOffsetCheckpoint(readFileSync(path.join(FIXTURE_LOGS, 'kafka-3.7-kraft', 'cleaner-offset-checkpoint'), 'utf8'), 'cleaner-offset-checkpoint');
    const firstDirtyOffset = checkpoint.find((e) => e.topic === '__consumer_offsets' && e.partition === 44)!.offset;
    expect(firstDirtyOffset).toBe(9);
    const offsetsBefore = readLog(dir).map((r) => [r.offset, r.value === null]);
    expect(offsetsBefore).toEqual([
      [6, false],
      [8, false],
      [9, true],
      [10, true],
    ]);
    const [key6, key8, key9, key10] = withLog(dir, (log) => [...log.records({ fromOffset: 0 })].map(({ record }) => record.key!.toString('hex')));
    expect([key9, key10]).toEqual([key6, key8]);
    const tombstoneTime = 1_766_550_106_107;
    const now = tombstoneTime + 60_000;

    const first = compactPartition(dir, [0, 9], { now, firstDirtyOffset, config: compactionConfig() });
    expect(first).toMatchObject({ cleanedSegments: [0, 9], outputSegments: [0], recordsBefore: 4, recordsAfter: 2, deleteHorizonsSet: 1, firstDirtyOffset: 11 });
    expect(readLog(dir)).toEqual([
      { offset: 9, key: expect.any(String), value: null, timestamp: tombstoneTime },
      { offset: 10, key: expect.any(String), value: null, timestamp: tombstoneTime },
    ]);
    const [batch] = readBatches(dir);
    expect(batch).toMatchObject({ baseOffset: 9, lastOffset: 10, partitionLeaderEpoch: 4, producerId: -1, baseSequence: 0, deleteHorizonMs: now + DAY });
    expect(nextOffset(dir)).toBe(11);
    checkSegments(dir);
    expect(readdirSync(dir).filter((n) => n.startsWith('00000000000000000009'))).toEqual([segmentFileName(9, '.snapshot')]);

    const second = compactPartition(dir, [0], { now: now + DAY, firstDirtyOffset: first.firstDirtyOffset, config: compactionConfig() });
    expect(second).toMatchObject({ tombstonesRemoved: 2, recordsAfter: 0, firstDirtyOffset: 11 });
    expect(readLog(dir)).toEqual([]);
    expect(readBatches(dir).map((b) => [b.baseOffset, b.lastOffset, b.recordCount])).toEqual([[9, 10, 0]]);
    expect(nextOffset(dir)).toBe(11);
    checkSegments(dir);
  });
});

describe('transactions', () => {
  // 0-1 plain, 2-3 txn of producer 100 (later superseded), 4 txn of 200 (aborted), 5 txn of 150 (kept),
  // 6 COMMIT 100, 7 ABORT 200, 8 COMMIT 150; 9-11 supersede a and c; 12 txn of 300 still open.
  function transactionalLog(): LogBuilder {
    return new LogBuilder()
      .segment()
      .batch([
        { key: 'a', value: '1' },
        { key: 'b', value: '1' },
      ])
      .batch(
        [
          { key: 'a', value: '2' },
          { key: 'c', value: '1' },
        ],
        { isTransactional: true, producerId: 100, producerEpoch: 0, baseSequence: 0 },
      )
      .batch([{ key: 'b', value: 'aborted' }], { isTransactional: true, producerId: 200, producerEpoch: 0, baseSequence: 0 })
      .batch([{ key: 'f', value: '1' }], { isTransactional: true, producerId: 150, producerEpoch: 0, baseSequence: 0 })
      .marker(100, 'COMMIT')
      .marker(200, 'ABORT')
      .marker(150, 'COMMIT')
      .segment()
      .batch([
        { key: 'a', value: '3' },
        { key: 'c', value: '2' },
        { key: 'd', value: '1' },
      ])
      .segment()
      .batch([{ key: 'e', value: '1' }], { isTransactional: true, producerId: 300, producerEpoch: 0, baseSequence: 0 });
  }

  it('drops aborted records, stops before an open transaction, and drops markers of emptied transactions after the horizon', () => {
    const dir = make();
    const log = transactionalLog();
    log.write(dir);
    const commit150 = log.segments[0]!.batches[6]!;
    const now1 = T0 + 100_000;

    const first = compact(dir, now1);
    expect(first).toMatchObject({ cleanedSegments: [0, 9], firstDirtyOffset: 12, abortedRecordsRemoved: 1, deleteHorizonsSet: 2, markersRemoved: 0 });
    // The aborted write of b does not supersede the committed b=1.
    expect(readLog(dir)).toEqual([rec(1, 'b', '1'), rec(5, 'f', '1'), rec(9, 'a', '3'), rec(10, 'c', '2'), rec(11, 'd', '1'), rec(12, 'e', '1')]);
    expect(controls(dir)).toEqual([
      { offset: 6, type: 'COMMIT', deleteHorizonMs: now1 + DAY },
      { offset: 7, type: 'ABORT', deleteHorizonMs: now1 + DAY },
      { offset: 8, type: 'COMMIT', deleteHorizonMs: -1 },
    ]);
    expect(readBatches(dir).find((b) => b.baseOffset === 8)!.bytes.equals(commit150)).toBe(true);
    // The segment with the open transaction is untouched.
    expect(segmentBases(dir)).toEqual([0, 12]);
    checkSegments(dir);

    const second = compact(dir, now1 + DAY);
    expect(second).toMatchObject({ markersRemoved: 2, firstDirtyOffset: 12 });
    expect(controls(dir)).toEqual([{ offset: 8, type: 'COMMIT', deleteHorizonMs: -1 }]);
    expect(readLog(dir).map((r) => r.offset)).toEqual([1, 5, 9, 10, 11, 12]);

    // Once producer 300 commits, its segment becomes cleanable.
    new LogBuilder(13).segment().marker(300, 'COMMIT').write(dir);
    const third = compact(dir, now1 + DAY);
    expect(third).toMatchObject({ cleanedSegments: [0, 12, 13], firstDirtyOffset: 14 });
    expect(nextOffset(dir)).toBe(14);
    checkSegments(dir);
  });
});

describe('what is cleanable', () => {
  it('respects min.compaction.lag.ms: a segment with recent records and everything after it wait', () => {
    const dir = make();
    const log = new LogBuilder()
      .segment()
      .batch([
        { key: 'a', value: '1', timestamp: T0 },
        { key: 'b', value: '1', timestamp: T0 },
      ])
      .segment()
      .batch([{ key: 'a', value: '2', timestamp: T0 + 10 * DAY }])
      .segment()
      .batch([
        { key: 'b', value: '2', timestamp: T0 + 20 * DAY },
        { key: 'a', value: '3', timestamp: T0 + 20 * DAY },
      ]);
    log.write(dir);
    const report = compact(dir, T0 + 21 * DAY, { minCompactionLagMs: 5 * DAY, maxSegmentBytes: 14 });
    expect(report).toMatchObject({ cleanedSegments: [0, 2], firstDirtyOffset: 3 });
    expect(readLog(dir).map((r) => `${r.offset}:${r.key}=${r.value}`)).toEqual(['1:b=1', '2:a=2', '3:b=2', '4:a=3']);
    expect(readFileSync(path.join(dir, segmentFileName(3, '.log'))).equals(Buffer.concat(log.segments[2]!.batches))).toBe(true);

    // When nothing is old enough, nothing is touched.
    const none = compact(dir, T0 + 21 * DAY, { minCompactionLagMs: 30 * DAY, firstDirtyOffset: 0 });
    expect(none).toMatchObject({ segmentsCleaned: 0, outputSegments: [], firstDirtyOffset: 0 });
  });

  it('only counts records from the first dirty offset in the key map', () => {
    const dir = make();
    new LogBuilder()
      .segment()
      .batch([
        { key: 'a', value: '1' },
        { key: 'b', value: '1' },
      ])
      .segment()
      .batch([{ key: 'a', value: '2' }])
      .write(dir);
    // Offsets before 2 count as clean: a=1 is still dropped, as the dirty a=2 supersedes it, and b=1 has no later record.
    const report = compact(dir, T0 + DAY, { firstDirtyOffset: 2 });
    expect(readLog(dir).map((r) => r.offset)).toEqual([1, 2]);
    expect(report.firstDirtyOffset).toBe(3);
  });

  it('refuses to start anywhere but the first segment, unknown segments, and leftovers of a crash', () => {
    const dir = make();
    const bases = new LogBuilder().segment().batch([{ key: 'a', value: '1' }]).segment().batch([{ key: 'a', value: '2' }]).write(dir);
    const options = { now: T0, config: compactionConfig() };
    expect(() => compactPartition(dir, [bases[1]!], options)).toThrow(/first segment/);
    expect(() => compactPartition(dir, [0, 7], options)).toThrow(`${path.join(dir, segmentFileName(7, '.log'))}: no such segment`);
    writeFileSync(path.join(dir, `${segmentFileName(0, '.log')}.swap`), '');
    expect(() => compactPartition(dir, bases, options)).toThrow(/recoverCompaction/);
  });

  it('names the file and byte of a corrupt batch and leaves no .cleaned file behind', () => {
    const dir = make();
    const log = new LogBuilder()
      .segment()
      .batch([{ key: 'a', value: '1' }])
      .batch([{ key: 'b', value: '1' }])
      .segment()
      .batch([{ key: 'a', value: '2' }]);
    log.write(dir);
    const file = path.join(dir, segmentFileName(0, '.log'));
    const corrupt = readFileSync(file);
    const second = log.segments[0]!.batches[0]!.length;
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 2) ^ 0xff, corrupt.length - 2);
    writeFileSync(file, corrupt);
    // With the corrupt segment wholly clean, the map pass skips it and the recopy finds the damage.
    let error: unknown;
    try {
      compact(dir, T0 + DAY, { firstDirtyOffset: 2 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LogFormatError);
    expect((error as LogFormatError).message).toContain(`${file} at byte ${second + 17}: CRC-32C mismatch in batch at offset 1`);
    expect(readdirSync(dir).filter((n) => n.includes('.cleaned') || n.includes('.swap'))).toEqual([]);
    expect(readFileSync(file).equals(corrupt)).toBe(true);
  });
});

describe('random histories (property)', () => {
  const write = fc.record({
    key: fc.option(fc.integer({ min: 0, max: 7 }), { nil: null, freq: 10 }),
    tombstone: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  });
  const batch = fc.record({ writes: fc.array(write, { minLength: 1, maxLength: 4 }), codec: fc.constantFrom(...ALL_CODECS) });
  const segments = (min: number) => fc.array(fc.array(batch, { minLength: 1, maxLength: 3 }), { minLength: min, maxLength: 4 });

  function append(log: LogBuilder, history: { writes: { key: number | null; tombstone: boolean }[]; codec: CompressionCodec }[][]): void {
    for (const segment of history) {
      log.segment();
      for (const { writes, codec } of segment) {
        const base = log.nextOffset;
        log.batch(
          writes.map((w, i) => ({ key: w.key === null ? null : `k${w.key}`, value: w.tombstone ? null : `v${base + i}` })),
          { compression: codec },
        );
      }
    }
  }

  it('survivors are the latest record per key (tombstones until their horizon), unchanged, at their offsets', () => {
    fc.assert(
      fc.property(segments(1), segments(0), fc.constantFrom(14, 400, 1 << 30), (partA, partB, maxSegmentBytes) => {
        const dir = make();
        const log = new LogBuilder();
        append(log, partA);
        log.write(dir);
        const now1 = T0 + DAY;

        const r1 = compact(dir, now1, { maxSegmentBytes });
        expect(readLog(dir)).toEqual(latestPerKey(log.written, true));
        expect(nextOffset(dir)).toBe(log.nextOffset);
        expect(r1.firstDirtyOffset).toBe(log.nextOffset);
        checkSegments(dir);

        const segmentsBefore = log.segments.length;
        append(log, partB);
        log.write(dir, 4096, segmentsBefore);
        const now2 = now1 + DAY / 2;
        const r2 = compact(dir, now2, { maxSegmentBytes, firstDirtyOffset: r1.firstDirtyOffset });
        expect(readLog(dir)).toEqual(latestPerKey(log.written, true));
        expect(nextOffset(dir)).toBe(log.nextOffset);
        checkSegments(dir);

        compact(dir, now2 + DAY, { maxSegmentBytes, firstDirtyOffset: r2.firstDirtyOffset });
        expect(readLog(dir)).toEqual(latestPerKey(log.written, false));
        expect(nextOffset(dir)).toBe(log.nextOffset);
        checkSegments(dir);
      }),
      { numRuns: 60 },
    );
  });
});

describe('crash safety', () => {
  /** Six segments that clean in three groups of two; segment 7 holds only records that 9 supersedes. */
  function crashLog(): { log: LogBuilder; maxSegmentBytes: number } {
    const log = new LogBuilder()
      .segment()
      .batch([
        { key: 'a', value: 'a1' },
        { key: 'b', value: 'b1' },
      ])
      .batch([{ key: 'c', value: 'c1' }])
      .segment()
      .batch([
        { key: 'a', value: 'a2' },
        { key: 'd', value: 'd1' },
      ])
      .segment()
      .batch([
        { key: 'b', value: null },
        { key: 'e', value: 'e1' },
      ])
      .segment()
      .batch([
        { key: 'c', value: 'c2' },
        { key: 'd', value: 'd2' },
      ])
      .segment()
      .batch([
        { key: 'c', value: 'c3' },
        { key: 'd', value: 'd3' },
      ])
      .batch([{ key: 'g', value: 'g1' }])
      .segment()
      .batch([
        { key: 'a', value: null },
        { key: 'f', value: 'f1' },
      ])
      .batch([{ key: 'g', value: 'g2' }]);
    const size = (base: number) => log.segmentSize(base);
    const maxSegmentBytes = Math.max(size(0) + size(3), size(5) + size(7), size(9) + size(12));
    return { log, maxSegmentBytes };
  }

  function copyDir(from: string): string {
    const to = make();
    cpSync(from, to, { recursive: true });
    return to;
  }

  /** What must hold after any stop and recovery. */
  function checkConsistent(dir: string, written: readonly Rec[], end: number): void {
    expect(readdirSync(dir).filter((n) => n.endsWith('.cleaned') || n.endsWith('.swap'))).toEqual([]);
    checkSegments(dir);
    expect(nextOffset(dir)).toBe(end);
    const read = readLog(dir);
    const byOffset = new Map(written.map((r) => [r.offset, r]));
    for (const [i, r] of read.entries()) {
      expect(r).toEqual(byOffset.get(r.offset));
      if (i > 0) expect(r.offset).toBeGreaterThan(read[i - 1]!.offset);
    }
    for (const latest of latestPerKey(written, true)) {
      const ofKey = read.filter((r) => r.key === latest.key);
      if (latest.value !== null) expect(ofKey.filter((r) => r.offset === latest.offset)).toHaveLength(1);
      // Whatever is left of the key ends with its latest record: no older value resurfaces.
      if (ofKey.length > 0 || latest.value !== null) expect(ofKey.at(-1)).toEqual(latest);
    }
  }

  it('after a stop at every step, recovery leaves a consistent log and a rerun gives the uninterrupted result', () => {
    const { log, maxSegmentBytes } = crashLog();
    const original = make();
    log.write(original);
    const now1 = T0 + DAY;
    const passes = [
      { name: 'first pass', now: now1 },
      { name: 'pass after the horizon', now: now1 + DAY },
    ];
    let input = original;
    let stopsTested = 0;
    for (const pass of passes) {
      const options = (stopAfter?: (step: CleanerStep) => boolean) => ({ now: pass.now, config: compactionConfig({ maxSegmentBytes }), ...(stopAfter ? { stopAfter } : {}) });
      const reference = copyDir(input);
      const steps: CleanerStep[] = [];
      const report = compactPartition(reference, segmentBases(reference), options((step) => (steps.push(step), false)));
      const expected = readLog(reference);
      if (pass === passes[0]) expect(report.outputSegments).toEqual([0, 5, 9]);
      expect(steps.filter((s) => s.phase === 'done')).toHaveLength(report.outputSegments.length);

      for (const [n, stop] of steps.entries()) {
        const dir = copyDir(input);
        expect(() => compactPartition(dir, segmentBases(dir), options((step) => step.group === stop.group && step.phase === stop.phase && step.segment === stop.segment))).toThrow(
          CompactionStoppedError,
        );
        const actions = recoverCompaction(dir);
        if (stop.phase === 'cleaned' || stop.phase === 'swap-indexes') expect(actions.every((a) => a.startsWith('deleted'))).toBe(true);
        if (['swapped', 'original-deleted', 'originals-deleted', 'final-indexes'].includes(stop.phase)) {
          expect(actions.some((a) => a.startsWith('completed the swap'))).toBe(true);
        }
        if (stop.phase === 'done') expect(actions).toEqual([]);
        checkConsistent(dir, log.written, log.nextOffset);
        compactPartition(dir, segmentBases(dir), options());
        expect(readLog(dir), `${pass.name}, stop ${n} (${JSON.stringify(stop)})`).toEqual(expected);
        stopsTested++;
      }
      input = reference;
    }
    expect(stopsTested).toBeGreaterThan(30);
  });

  it('recovery after a stop right after the commit keeps the emptied segment past the swap, harmlessly', () => {
    const { log, maxSegmentBytes } = crashLog();
    const dir = make();
    log.write(dir);
    expect(() =>
      compactPartition(dir, segmentBases(dir), {
        now: T0 + DAY,
        config: compactionConfig({ maxSegmentBytes }),
        stopAfter: (step) => step.group === 1 && step.phase === 'swapped',
      }),
    ).toThrow(CompactionStoppedError);
    expect(readdirSync(dir).filter((n) => n.endsWith('.swap')).sort()).toEqual(
      ['.index', '.log', '.timeindex'].map((s) => `${segmentFileName(5, s as '.log')}.swap`).sort(),
    );
    const actions = recoverCompaction(dir);
    // The swap of group 1 ends at offset 7, so segment 7 (all of it superseded) is not replaced.
    expect(actions).toEqual([`completed the swap of ${segmentFileName(5, '.log')}: replaced segment 5`]);
    expect(segmentBases(dir)).toEqual([0, 5, 7, 9, 12]);
    checkConsistent(dir, log.written, log.nextOffset);
    compactPartition(dir, segmentBases(dir), { now: T0 + DAY, config: compactionConfig({ maxSegmentBytes }) });
    expect(readLog(dir).map((r) => r.offset)).toEqual([5, 6, 9, 10, 12, 13, 14]);
  });

  it('recovery completes a swap whose index files were already renamed, and rebuilds a missing index', () => {
    const { log, maxSegmentBytes } = crashLog();
    const dir = make();
    log.write(dir);
    expect(() =>
      compactPartition(dir, segmentBases(dir), {
        now: T0 + DAY,
        config: compactionConfig({ maxSegmentBytes }),
        stopAfter: (step) => step.group === 0 && step.phase === 'final-indexes',
      }),
    ).toThrow(CompactionStoppedError);
    expect(readdirSync(dir).filter((n) => n.endsWith('.swap'))).toEqual([`${segmentFileName(0, '.log')}.swap`]);
    const newIndex = readFileSync(path.join(dir, segmentFileName(0, '.timeindex')));
    expect(recoverCompaction(dir)).toEqual([`completed the swap of ${segmentFileName(0, '.log')}: replaced segment 0`]);
    expect(readFileSync(path.join(dir, segmentFileName(0, '.timeindex'))).equals(newIndex)).toBe(true);
    checkConsistent(dir, log.written, log.nextOffset);

    const other = make();
    log.write(other);
    expect(() =>
      compactPartition(other, segmentBases(other), {
        now: T0 + DAY,
        config: compactionConfig({ maxSegmentBytes }),
        stopAfter: (step) => step.group === 0 && step.phase === 'originals-deleted',
      }),
    ).toThrow(CompactionStoppedError);
    // A committed swap set without its offset index (renamed already, or lost) still completes: the index is rebuilt.
    unlinkSync(path.join(other, `${segmentFileName(0, '.index')}.swap`));
    expect(recoverCompaction(other)).toHaveLength(1);
    checkConsistent(other, log.written, log.nextOffset);
  });

  it('recovery deletes .cleaned files and uncommitted swap sets and reports nothing for a clean directory', () => {
    const dir = make();
    const { log, maxSegmentBytes } = crashLog();
    log.write(dir);
    expect(recoverCompaction(dir)).toEqual([]);
    expect(() =>
      compactPartition(dir, segmentBases(dir), {
        now: T0 + DAY,
        config: compactionConfig({ maxSegmentBytes }),
        stopAfter: (step) => step.group === 2 && step.phase === 'swap-indexes',
      }),
    ).toThrow(CompactionStoppedError);
    expect(recoverCompaction(dir)).toEqual([
      `deleted ${segmentFileName(9, '.log')}.cleaned: an unfinished cleaning`,
      `deleted ${segmentFileName(9, '.index')}.swap: its swap was never committed (no .log.swap), so the original segments are intact`,
      `deleted ${segmentFileName(9, '.timeindex')}.swap: its swap was never committed (no .log.swap), so the original segments are intact`,
    ]);
    expect(segmentBases(dir)).toEqual([0, 5, 9, 12]);
    checkConsistent(dir, log.written, log.nextOffset);
  });
});
