import { appendFileSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../batch/record-batch-encoder';
import type { LogWarning } from '../errors';
import { type RawBatch, type RawRecord, fixturePath, rawRecords, useTempDirs, walkRawBatches, writeLog } from '../log-fixtures.test-support';
import { scanBatchHeaders } from './batch-scanner';
import { IndexBuilder } from './index-builder';
import { LogSegment, segmentFileName } from './log-segment';
import { SegmentFile } from './segment-file';

const temp = useTempDirs();

const META = 'kafka-3.7-kraft/__cluster_metadata-0';
const META_BASE = 1_725_413;
const META_LOG = `${segmentFileName(META_BASE, '.log')}`;

/** The answers a linear scan over the raw bytes gives, computed without the code under test. */
class Oracle {
  readonly batches: RawBatch[];
  readonly records: RawRecord[];

  constructor(logPath: string) {
    const bytes = readFileSync(logPath);
    this.batches = walkRawBatches(bytes);
    this.records = this.batches.flatMap((b) => rawRecords(bytes, b));
  }

  batchFor(offset: number): RawBatch | undefined {
    return this.batches.find((b) => b.lastOffset >= offset);
  }

  firstAtOrAfter(timestamp: number): { offset: number; timestamp: number } | undefined {
    const r = this.records.find((record) => record.timestamp >= timestamp);
    return r && { offset: r.offset, timestamp: r.timestamp };
  }

  get largestTimestamp(): number {
    return Math.max(-1, ...this.batches.map((b) => b.maxTimestamp));
  }

  get nextOffset(): number | undefined {
    return this.batches.length ? this.batches[this.batches.length - 1]!.lastOffset + 1 : undefined;
  }

  /** Offsets to probe: every batch boundary and its neighbours, every gap, and a few outside. */
  probeOffsets(): number[] {
    const set = new Set<number>();
    const first = this.batches[0]?.baseOffset ?? 0;
    const last = this.batches[this.batches.length - 1]?.lastOffset ?? 0;
    for (let o = first - 3; o <= first + 3; o++) set.add(o);
    for (let o = last - 3; o <= last + 5; o++) set.add(o);
    for (const b of this.batches) for (const o of [b.baseOffset - 1, b.baseOffset, b.lastOffset, b.lastOffset + 1]) set.add(o);
    return [...set].filter((o) => o >= 0).sort((a, b) => a - b);
  }

  probeTimestamps(extra: number[] = []): number[] {
    const stamped = this.records.map((r) => r.timestamp).filter((t) => t >= 0);
    if (stamped.length === 0) return [0, 1000, ...extra];
    const min = Math.min(...stamped);
    const max = Math.max(...stamped);
    const set = new Set([min - 100_000, min - 1, min, min + 1, max - 1, max, max + 1, max + 100_000, ...extra]);
    for (let i = 0; i < stamped.length; i += Math.max(1, Math.floor(stamped.length / 150))) {
      set.add(stamped[i]!);
      set.add(stamped[i]! + 1);
    }
    return [...set];
  }
}

function checkOffsetLookups(segment: LogSegment, oracle: Oracle, offsets = oracle.probeOffsets()): void {
  for (const offset of offsets) {
    const want = oracle.batchFor(offset);
    const got = segment.findBatchHeader(offset);
    expect(got && [got.position, got.baseOffset, got.lastOffset], `findBatchHeader(${offset})`).toEqual(want && [want.position, want.baseOffset, want.lastOffset]);
  }
}

function checkTimestampLookups(segment: LogSegment, oracle: Oracle, targets = oracle.probeTimestamps()): void {
  for (const target of targets) {
    expect(segment.findByTimestamp(target), `findByTimestamp(${target})`).toEqual(oracle.firstAtOrAfter(target));
  }
}

function openSegment(dir: string, base: number): { segment: LogSegment; warnings: LogWarning[] } {
  const warnings: LogWarning[] = [];
  return { segment: new LogSegment(dir, base, { onWarning: (w) => warnings.push(w) }), warnings };
}

/** Writes `.index` and `.timeindex` for a log the way Kafka would, with the given interval. */
function writeIndexes(dir: string, base: number, intervalBytes: number): void {
  const file = new SegmentFile(join(dir, segmentFileName(base, '.log')));
  const builder = new IndexBuilder(base, intervalBytes);
  for (const header of scanBatchHeaders(file)) builder.add(header);
  file.close();
  const { offsetIndex, timeIndex } = builder.seal();
  writeFileSync(join(dir, segmentFileName(base, '.index')), offsetIndex.toBuffer());
  writeFileSync(join(dir, segmentFileName(base, '.timeindex')), timeIndex.toBuffer());
}

describe('segmentFileName', () => {
  it('pads the base offset to 20 digits', () => {
    expect(segmentFileName(0, '.log')).toBe('00000000000000000000.log');
    expect(segmentFileName(1_725_413, '.timeindex')).toBe('00000000000001725413.timeindex');
    expect(segmentFileName(Number.MAX_SAFE_INTEGER, '.index')).toBe('00009007199254740991.index');
  });
});

describe("a segment with Kafka's own indexes (__cluster_metadata-0)", () => {
  const dir = fixturePath(META);
  const oracle = new Oracle(join(dir, META_LOG));

  it('trusts the files, and knows its end without a full scan', () => {
    const { segment, warnings } = openSegment(dir, META_BASE);
    const indexes = segment.indexes();
    expect(indexes.source).toBe('files');
    expect(indexes.offsetIndex.entryCount).toBe(213);
    expect(indexes.timeIndex.entryCount).toBe(214);
    expect(segment.nextOffset()).toBe(1_737_569);
    expect(segment.nextOffset()).toBe(oracle.nextOffset);
    expect(segment.largestTimestamp()).toBe(oracle.largestTimestamp);
    expect(segment.lastBatch()?.position).toBe(oracle.batches[oracle.batches.length - 1]!.position);
    expect(segment.sizeInBytes).toBe(874_344);
    expect(warnings).toEqual([]);
    segment.close();
  });

  it('finds the batch of every offset as a linear scan does', () => {
    const { segment, warnings } = openSegment(dir, META_BASE);
    const every = Array.from({ length: 1_737_569 - META_BASE + 10 }, (_, i) => META_BASE - 5 + i);
    checkOffsetLookups(segment, oracle, every);
    expect(warnings).toEqual([]);
    segment.close();
  });

  it('finds the first record at or after a timestamp as a linear scan does', () => {
    const { segment } = openSegment(dir, META_BASE);
    const timeEntries = segment.indexes().timeIndex;
    const entryTimes = Array.from({ length: timeEntries.entryCount }, (_, i) => timeEntries.entry(i).timestamp);
    checkTimestampLookups(segment, oracle, oracle.probeTimestamps(entryTimes.flatMap((t) => [t - 1, t, t + 1])));
    expect(segment.findByTimestamp(oracle.largestTimestamp + 1)).toBeUndefined();
    expect(segment.findByTimestamp(0)).toEqual({ offset: META_BASE, timestamp: oracle.records[0]!.timestamp });
    segment.close();
  });
});

describe('a kafka-0.11 segment: 0-byte .index and a 12-byte .timeindex', () => {
  it('trusts them and finds everything', () => {
    const dir = fixturePath('kafka-0.11/test0-2');
    const { segment, warnings } = openSegment(dir, 0);
    expect(segment.indexes().source).toBe('files');
    expect(segment.indexes().offsetIndex.entryCount).toBe(0);
    const oracle = new Oracle(join(dir, segmentFileName(0, '.log')));
    checkOffsetLookups(segment, oracle);
    checkTimestampLookups(segment, oracle);
    expect(segment.nextOffset()).toBe(11);
    expect(warnings).toEqual([]);
  });
});

describe('a segment without index files (kafka-keyed/string-key-0)', () => {
  it('rebuilds in memory, warns once about the missing .index, and agrees with a linear scan', () => {
    const dir = fixturePath('kafka-keyed/string-key-0');
    const oracle = new Oracle(join(dir, segmentFileName(0, '.log')));
    expect(oracle.records).toHaveLength(28_162);
    const { segment, warnings } = openSegment(dir, 0);
    expect(segment.indexes().source).toBe('rebuilt');
    expect(segment.nextOffset()).toBe(28_162);
    expect(segment.largestTimestamp()).toBe(oracle.largestTimestamp);
    const sample = oracle.probeOffsets().filter((_, i) => i % 7 === 0);
    checkOffsetLookups(segment, oracle, sample);
    // Batches 326-20,332 carry no timestamp: they must never match, and must not stop a search.
    const untimed = oracle.batches.filter((b) => b.maxTimestamp === -1);
    expect(untimed).toHaveLength(20_007);
    const aroundGap = [oracle.batches[325]!.maxTimestamp, oracle.batches[325]!.maxTimestamp + 1, oracle.batches[20_333]!.maxTimestamp - 1];
    checkTimestampLookups(segment, oracle, oracle.probeTimestamps(aroundGap));
    expect(warnings).toEqual([{ file: join(dir, segmentFileName(0, '.index')), position: expect.any(Number), message: expect.stringMatching(/missing/) }]);
    segment.close();
  });
});

describe('an empty segment', () => {
  it('holds no batch: next offset is its base, no timestamp, no warning even without index files', () => {
    const dir = temp.make();
    writeLog(dir, 78);
    const { segment, warnings } = openSegment(dir, 78);
    expect(segment.nextOffset()).toBe(78);
    expect(segment.largestTimestamp()).toBe(-1);
    expect(segment.lastBatch()).toBeUndefined();
    expect(segment.findBatchHeader(78)).toBeUndefined();
    expect(segment.findByTimestamp(0)).toBeUndefined();
    expect(warnings).toEqual([]);
  });
});

describe('untrusted index files (temporary copies of __cluster_metadata-0)', () => {
  const oracle = new Oracle(fixturePath(META, META_LOG));
  const sampleOffsets = oracle.probeOffsets().filter((_, i) => i % 11 === 0);
  const sampleTimes = oracle.probeTimestamps().filter((_, i) => i % 5 === 0);

  function corruptCopy(edit: (paths: { index: string; timeindex: string }) => void): { segment: LogSegment; warnings: LogWarning[]; paths: { index: string; timeindex: string } } {
    const dir = temp.copyFixture(META);
    const paths = { index: join(dir, segmentFileName(META_BASE, '.index')), timeindex: join(dir, segmentFileName(META_BASE, '.timeindex')) };
    edit(paths);
    return { ...openSegment(dir, META_BASE), paths };
  }

  function expectRebuiltWithWarningAbout(file: string, result: ReturnType<typeof corruptCopy>): void {
    const { segment, warnings } = result;
    checkOffsetLookups(segment, oracle, sampleOffsets);
    checkTimestampLookups(segment, oracle, sampleTimes);
    expect(segment.nextOffset()).toBe(1_737_569);
    expect(segment.indexes().source).toBe('rebuilt');
    expect(segment.indexes().offsetIndex.toBuffer().equals(readFileSync(fixturePath(META, segmentFileName(META_BASE, '.index'))))).toBe(true);
    expect(warnings.length, JSON.stringify(warnings)).toBe(1);
    expect(warnings[0]!.file).toBe(file);
    segment.close();
  }

  it('a preallocated index (the real entries, then zeros) is used as it is, without a warning', () => {
    const result = corruptCopy((p) => {
      appendFileSync(p.index, Buffer.alloc(64 * 1024));
      appendFileSync(p.timeindex, Buffer.alloc(12 * 5461));
    });
    checkOffsetLookups(result.segment, oracle, sampleOffsets);
    checkTimestampLookups(result.segment, oracle, sampleTimes);
    expect(result.segment.indexes().source).toBe('files');
    expect(result.segment.indexes().offsetIndex.entryCount).toBe(213);
    expect(result.segment.indexes().timeIndex.entryCount).toBe(214);
    expect(result.warnings).toEqual([]);
  });

  it('a truncated .index (size not a multiple of 8)', () => {
    const result = corruptCopy((p) => truncateSync(p.index, 213 * 8 - 3));
    expectRebuiltWithWarningAbout(result.paths.index, result);
  });

  it('a .index cut at an entry boundary (entries lost) still agrees with the log: used, lookups right', () => {
    const result = corruptCopy((p) => truncateSync(p.index, 100 * 8));
    checkOffsetLookups(result.segment, oracle, sampleOffsets);
    expect(result.segment.nextOffset()).toBe(1_737_569);
    expect(result.warnings).toEqual([]);
  });

  it('a .index whose entries all point one batch too early', () => {
    const result = corruptCopy((p) => {
      const bytes = readFileSync(p.index);
      const starts = oracle.batches.map((b) => b.position);
      for (let i = 0; i < bytes.length / 8; i++) {
        const pos = bytes.readInt32BE(i * 8 + 4);
        bytes.writeInt32BE(starts[starts.indexOf(pos) - 1]!, i * 8 + 4);
      }
      writeFileSync(p.index, bytes);
    });
    expectRebuiltWithWarningAbout(result.paths.index, result);
  });

  it('a .index whose last entry names the wrong offset', () => {
    const result = corruptCopy((p) => {
      const bytes = readFileSync(p.index);
      bytes.writeInt32BE(bytes.readInt32BE(212 * 8) + 1, 212 * 8);
      writeFileSync(p.index, bytes);
    });
    expectRebuiltWithWarningAbout(result.paths.index, result);
  });

  it.each([1, 4, 12, -1])('a .index whose positions are all off by %i bytes (not batch starts)', (shift) => {
    const result = corruptCopy((p) => {
      const bytes = readFileSync(p.index);
      for (let i = 0; i < bytes.length / 8; i++) bytes.writeInt32BE(bytes.readInt32BE(i * 8 + 4) + shift, i * 8 + 4);
      writeFileSync(p.index, bytes);
    });
    expectRebuiltWithWarningAbout(result.paths.index, result);
  });

  it('a .index with one wrong entry in the middle', () => {
    const result = corruptCopy((p) => {
      const bytes = readFileSync(p.index);
      bytes.writeInt32BE(bytes.readInt32BE(101 * 8 + 4) - 1, 100 * 8 + 4);
      writeFileSync(p.index, bytes);
    });
    expectRebuiltWithWarningAbout(result.paths.index, result);
  });

  it('a .index with one middle entry pointing at the next batch start (a real batch, the wrong one)', () => {
    const result = corruptCopy((p) => {
      const bytes = readFileSync(p.index);
      const starts = oracle.batches.map((b) => b.position);
      const pos = bytes.readInt32BE(100 * 8 + 4);
      bytes.writeInt32BE(starts[starts.indexOf(pos) + 1]!, 100 * 8 + 4);
      writeFileSync(p.index, bytes);
    });
    const entryOffset = META_BASE + readFileSync(fixturePath(META, segmentFileName(META_BASE, '.index'))).readInt32BE(100 * 8);
    checkOffsetLookups(result.segment, oracle, [entryOffset - 1, entryOffset, entryOffset + 1]);
    expectRebuiltWithWarningAbout(result.paths.index, result);
  });

  it('a .index pointing past the end of the log', () => {
    const result = corruptCopy((p) => {
      const bytes = readFileSync(p.index);
      bytes.writeInt32BE(900_000, 212 * 8 + 4);
      writeFileSync(p.index, bytes);
    });
    expectRebuiltWithWarningAbout(result.paths.index, result);
  });

  it('a .timeindex with decreasing timestamps', () => {
    const result = corruptCopy((p) => {
      const bytes = readFileSync(p.timeindex);
      bytes.writeBigInt64BE(bytes.readBigInt64BE(50 * 12) - 10_000_000n, 51 * 12);
      writeFileSync(p.timeindex, bytes);
    });
    expectRebuiltWithWarningAbout(result.paths.timeindex, result);
  });

  it('a .timeindex whose last entry disagrees with the log', () => {
    const result = corruptCopy((p) => {
      const bytes = readFileSync(p.timeindex);
      bytes.writeBigInt64BE(bytes.readBigInt64BE(213 * 12) + 1n, 213 * 12);
      writeFileSync(p.timeindex, bytes);
    });
    expectRebuiltWithWarningAbout(result.paths.timeindex, result);
  });

  it('a truncated .timeindex (size not a multiple of 12)', () => {
    const result = corruptCopy((p) => truncateSync(p.timeindex, 214 * 12 - 5));
    expectRebuiltWithWarningAbout(result.paths.timeindex, result);
  });

  it('a missing .index', () => {
    const result = corruptCopy((p) => rmSync(p.index));
    expectRebuiltWithWarningAbout(result.paths.index, result);
  });

  it('a missing .timeindex', () => {
    const result = corruptCopy((p) => rmSync(p.timeindex));
    expectRebuiltWithWarningAbout(result.paths.timeindex, result);
  });
});

/** A deterministic compacted-looking segment: offset gaps between and inside batches. */
function compactedSegment(dir: string, base: number, seed: number): void {
  let state = seed;
  const next = (n: number) => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31), state % n);
  const batches: Buffer[] = [];
  let offset = base + next(3);
  for (let b = 0; b < 400; b++) {
    const count = 1 + next(4);
    let delta = 0;
    const records = Array.from({ length: count }, (_, i) => {
      if (i > 0) delta += 1 + next(3);
      return { key: Buffer.from(`key-${next(50)}`), value: next(10) === 0 ? null : Buffer.alloc(next(200), 0x41), timestamp: 1_700_000_000_000 + b * 1000 + next(1500), offsetDelta: delta };
    });
    const lastOffsetDelta = delta + next(3);
    batches.push(encodeRecordBatch({ baseOffset: offset, records, lastOffsetDelta }));
    offset += lastOffsetDelta + 1 + next(4);
  }
  writeLog(dir, base, ...batches);
}

describe('lookups in compacted segments agree with a linear scan', () => {
  it.each([
    ['Kafka-style index files, one entry every 256 bytes', 256],
    ['index files with an entry for every batch', 0],
    ['no index files (rebuilt in memory)', undefined],
  ])('%s', (_, interval) => {
    const dir = temp.make();
    compactedSegment(dir, 1000, 42);
    if (interval !== undefined) writeIndexes(dir, 1000, interval);
    const oracle = new Oracle(join(dir, segmentFileName(1000, '.log')));
    // the fixture has gaps between batches and inside them
    expect(oracle.batches.some((b, i) => i > 0 && b.baseOffset > oracle.batches[i - 1]!.lastOffset + 1)).toBe(true);
    expect(oracle.batches.some((b) => b.recordCount < b.lastOffset - b.baseOffset + 1)).toBe(true);
    const { segment, warnings } = openSegment(dir, 1000);
    expect(segment.indexes().source).toBe(interval === undefined ? 'rebuilt' : 'files');
    const first = oracle.batches[0]!.baseOffset;
    const every = Array.from({ length: oracle.nextOffset! - first + 10 }, (_, i) => first - 5 + i).filter((o) => o >= 0);
    checkOffsetLookups(segment, oracle, every);
    checkTimestampLookups(segment, oracle);
    expect(segment.nextOffset()).toBe(oracle.nextOffset);
    expect(segment.largestTimestamp()).toBe(oracle.largestTimestamp);
    expect(warnings.length).toBe(interval === undefined ? 1 : 0);
  });

  it('random segments, random lookups', () => {
    const root = temp.make();
    let run = 0;
    const batchArb = fc.record({
      gapBefore: fc.integer({ min: 0, max: 3 }),
      records: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 2 }), ts: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 5000 })), size: fc.integer({ min: 0, max: 300 }) }), {
        minLength: 1,
        maxLength: 5,
      }),
      trailing: fc.integer({ min: 0, max: 2 }),
    });
    fc.assert(
      fc.property(fc.array(batchArb, { minLength: 0, maxLength: 40 }), fc.constantFrom(0, 100, 4096, undefined), fc.array(fc.integer({ min: -10, max: 6000 }), { maxLength: 10 }), (specs, interval, times) => {
        const dir = join(root, String(run++));
        mkdirSync(dir);
        const base = 10;
        let offset = base;
        const batches = specs.map((spec) => {
          offset += spec.gapBefore;
          let delta = -1;
          const records = spec.records.map((r) => ({ key: null, value: Buffer.alloc(r.size), timestamp: r.ts, offsetDelta: (delta += 1 + r.gap) }));
          const batch = encodeRecordBatch({ baseOffset: offset, records, lastOffsetDelta: delta + spec.trailing });
          offset += delta + spec.trailing + 1;
          return batch;
        });
        writeLog(dir, base, ...batches);
        if (interval !== undefined) writeIndexes(dir, base, interval);
        const oracle = new Oracle(join(dir, segmentFileName(base, '.log')));
        const { segment } = openSegment(dir, base);
        checkOffsetLookups(segment, oracle);
        checkTimestampLookups(segment, oracle, [...times, ...oracle.probeTimestamps()]);
        expect(segment.nextOffset()).toBe(oracle.nextOffset ?? base);
        segment.close();
      }),
      { numRuns: 150 },
    );
  });
});

describe('timestamp search inside a batch', () => {
  it('finds a record before the one that closes the batch when the maximum comes first', () => {
    const dir = temp.make();
    writeLog(
      dir,
      0,
      encodeRecordBatch({
        baseOffset: 0,
        records: [
          { key: null, value: Buffer.from('a'), timestamp: 100 },
          { key: null, value: Buffer.from('b'), timestamp: 50 },
        ],
      }),
    );
    const { segment } = openSegment(dir, 0);
    // The sealed time index holds (100, offset 1): the answer lies before that entry's offset.
    expect(segment.indexes().timeIndex.entry(0)).toEqual({ timestamp: 100, offset: 1 });
    expect(segment.findByTimestamp(100)).toEqual({ offset: 0, timestamp: 100 });
    expect(segment.findByTimestamp(60)).toEqual({ offset: 0, timestamp: 100 });
    expect(segment.findByTimestamp(50)).toEqual({ offset: 0, timestamp: 100 });
    expect(segment.findByTimestamp(101)).toBeUndefined();
  });

  it('skips records without timestamps and LogAppendTime batches use their append time', () => {
    const dir = temp.make();
    writeLog(
      dir,
      0,
      encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: null, timestamp: -1 }] }),
      encodeRecordBatch({ baseOffset: 1, timestampType: 'LogAppendTime', logAppendTime: 5000, records: [{ key: null, value: null, timestamp: 10 }, { key: null, value: null, timestamp: 20 }] }),
    );
    const { segment } = openSegment(dir, 0);
    expect(segment.findByTimestamp(0)).toEqual({ offset: 1, timestamp: 5000 });
    expect(segment.findByTimestamp(5000)).toEqual({ offset: 1, timestamp: 5000 });
    expect(segment.largestTimestamp()).toBe(5000);
  });
});

describe('refresh', () => {
  it('picks up batches appended after the segment was read', () => {
    const dir = temp.make();
    const path = writeLog(dir, 0, encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: null, timestamp: 10 }] }));
    const { segment } = openSegment(dir, 0);
    expect(segment.nextOffset()).toBe(1);
    appendFileSync(path, encodeRecordBatch({ baseOffset: 1, records: [{ key: null, value: null, timestamp: 20 }, { key: null, value: null, timestamp: 30 }] }));
    expect(segment.nextOffset()).toBe(1);
    segment.refresh();
    expect(segment.nextOffset()).toBe(3);
    expect(segment.largestTimestamp()).toBe(30);
    expect(segment.findBatchHeader(2)?.baseOffset).toBe(1);
    expect(segment.findByTimestamp(25)).toEqual({ offset: 2, timestamp: 30 });
    segment.close();
  });
});
