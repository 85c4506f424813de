import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../batch/record-batch-encoder';
import { LogFormatError, type LogWarning } from '../errors';
import { fixturePath, formatError, useTempDirs, walkRawBatches, writeLog } from '../log-fixtures.test-support';
import { scanBatchHeaders, scanBatches } from './batch-scanner';
import { SegmentFile } from './segment-file';

const temp = useTempDirs();

function batchAt(baseOffset: number, records = 1, valueSize = 20): Buffer {
  return encodeRecordBatch({
    baseOffset,
    partitionLeaderEpoch: 0,
    records: Array.from({ length: records }, (_, i) => ({ key: null, value: Buffer.alloc(valueSize, 0x61 + i), timestamp: 1_700_000_000_000 + baseOffset + i })),
  });
}

/** Five batches (offsets 0-4, 5-6, 7, 8-10, 11) and where each starts. */
function fiveBatches(): { batches: Buffer[]; positions: number[] } {
  const batches = [batchAt(0, 5), batchAt(5, 2), batchAt(7, 1, 300), batchAt(8, 3), batchAt(11, 1)];
  let pos = 0;
  const positions = batches.map((b) => ((pos += b.length), pos - b.length));
  return { batches, positions };
}

function scanAll(path: string, verifyChecksums = true): { offsets: number[][]; warnings: LogWarning[] } {
  const warnings: LogWarning[] = [];
  const file = new SegmentFile(path);
  try {
    const offsets = [...scanBatches(file, 0, { verifyChecksums, onWarning: (w) => warnings.push(w) })].map((b) => [b.baseOffset, b.lastOffset]);
    return { offsets, warnings };
  } finally {
    file.close();
  }
}

function scanHeaders(path: string): { offsets: number[][]; warnings: LogWarning[] } {
  const warnings: LogWarning[] = [];
  const file = new SegmentFile(path);
  try {
    const offsets = [...scanBatchHeaders(file, 0, { onWarning: (w) => warnings.push(w) })].map((b) => [b.baseOffset, b.lastOffset]);
    return { offsets, warnings };
  } finally {
    file.close();
  }
}

const FIVE = [
  [0, 4],
  [5, 6],
  [7, 7],
  [8, 10],
  [11, 11],
];

describe('scanning well-formed logs', () => {
  it('yields every batch in order, with positions, and no warning', () => {
    const { batches, positions } = fiveBatches();
    const path = writeLog(temp.make(), 0, ...batches);
    expect(scanAll(path)).toEqual({ offsets: FIVE, warnings: [] });
    expect(scanHeaders(path)).toEqual({ offsets: FIVE, warnings: [] });
    const file = new SegmentFile(path);
    expect([...scanBatches(file)].map((b) => [b.position, b.sizeInBytes])).toEqual(positions.map((p, i) => [p, batches[i]!.length]));
    expect([...scanBatchHeaders(file)].map((b) => b.position)).toEqual(positions);
    file.close();
  });

  it('starts from a given batch position', () => {
    const { batches, positions } = fiveBatches();
    const file = new SegmentFile(writeLog(temp.make(), 0, ...batches));
    expect([...scanBatches(file, positions[3])].map((b) => b.baseOffset)).toEqual([8, 11]);
    expect([...scanBatchHeaders(file, positions[1])].map((b) => b.baseOffset)).toEqual([5, 7, 8, 11]);
    expect([...scanBatches(file, file.size)]).toEqual([]);
    file.close();
  });

  it('an empty file has no batches and no warnings', () => {
    expect(scanAll(writeLog(temp.make(), 0))).toEqual({ offsets: [], warnings: [] });
  });

  it('headers and full batches agree on every fixture log, and both agree with a raw walk of the bytes', () => {
    const logs = [
      'kafka-0.11/test0-2/00000000000000000000.log',
      'kafka-keyed/string-key-0/00000000000000000000.log',
      'kafka-keyed/test-0921-0/00000000000000000000.log',
      'kafka-3.7-kraft/__consumer_offsets-44/00000000000000000009.log',
      'kafka-3.7-kraft/__cluster_metadata-0/00000000000001725413.log',
    ];
    for (const log of logs) {
      const raw = walkRawBatches(readFileSync(fixturePath(log)));
      const file = new SegmentFile(fixturePath(log));
      const headers = [...scanBatchHeaders(file)];
      const batches = [...scanBatches(file)];
      file.close();
      expect(headers.length, log).toBe(raw.length);
      expect(batches.length, log).toBe(raw.length);
      headers.forEach((h, i) => {
        const b = batches[i]!;
        const r = raw[i]!;
        expect([h.position, h.sizeInBytes, h.baseOffset, h.lastOffset, h.maxTimestamp, h.recordCount, h.partitionLeaderEpoch, h.producerId]).toEqual([
          r.position,
          r.size,
          r.baseOffset,
          r.lastOffset,
          r.maxTimestamp,
          r.recordCount,
          r.partitionLeaderEpoch,
          r.producerId,
        ]);
        expect(h.firstTimestamp).toBe(r.baseTimestamp);
        expect([b.position, b.sizeInBytes, b.baseOffset, b.lastOffset, b.maxTimestamp, b.recordCount, b.timestampType, b.isControl]).toEqual([
          h.position,
          h.sizeInBytes,
          h.baseOffset,
          h.lastOffset,
          h.maxTimestamp,
          h.recordCount,
          h.timestampType,
          h.isControl,
        ]);
      });
    }
  });
});

describe('torn and zero-filled tails', () => {
  it('a last batch cut inside its all-zero first bytes is indistinguishable from zero fill: still a warning at its start', () => {
    const { batches, positions } = fiveBatches();
    const path = writeLog(temp.make(), 0, ...batches);
    truncateSync(path, positions[4]! + 3);
    expect(scanAll(path)).toEqual({ offsets: FIVE.slice(0, 4), warnings: [{ file: path, position: positions[4], message: expect.any(String) }] });
  });

  it.each([8, 12, 16, 17, 60, 61, 80])('a last batch cut after %i of its bytes: the valid prefix plus a warning at its start', (keep) => {
    const { batches, positions } = fiveBatches();
    const path = writeLog(temp.make(), 0, ...batches);
    const lastStart = positions[4]!;
    truncateSync(path, lastStart + keep);
    for (const result of [scanAll(path), scanHeaders(path)]) {
      expect(result.offsets).toEqual(FIVE.slice(0, 4));
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]!.file).toBe(path);
      expect(result.warnings[0]!.position).toBe(lastStart);
      expect(result.warnings[0]!.message).toMatch(/torn tail/);
    }
  });

  it.each([1, 5, 16, 17, 4096, 70_000])('%i trailing zero bytes: the valid prefix plus a warning where the zeros start', (zeros) => {
    const { batches } = fiveBatches();
    const valid = Buffer.concat(batches);
    const path = writeLog(temp.make(), 0, valid, Buffer.alloc(zeros));
    for (const result of [scanAll(path), scanHeaders(path)]) {
      expect(result.offsets).toEqual(FIVE);
      expect(result.warnings).toEqual([{ file: path, position: valid.length, message: expect.stringMatching(new RegExp(`${zeros} zero bytes`)) }]);
    }
  });

  it('a file of nothing but zeros (a preallocated segment) has no batches and one warning at byte 0', () => {
    const path = writeLog(temp.make(), 0, Buffer.alloc(100_000));
    expect(scanAll(path)).toEqual({ offsets: [], warnings: [{ file: path, position: 0, message: expect.stringMatching(/zero bytes/) }] });
  });

  it('a zero-length field followed by non-zero bytes is corruption, not a zero tail', () => {
    const { batches, positions } = fiveBatches();
    const path = writeLog(temp.make(), 0, ...batches.slice(0, 4), Buffer.alloc(40), Buffer.from('junk'));
    const error = formatError(() => scanAll(path));
    expect(error.file).toBe(path);
    expect(error.position).toBe(positions[4]! + 8);
  });

  it('a torn tail of a real fixture keeps all but the last batch', () => {
    const log = temp.copyFixture('kafka-keyed/test-0921-0');
    const path = join(log, '00000000000000000000.log');
    const size = readFileSync(path).length;
    truncateSync(path, size - 30);
    const { offsets, warnings } = scanAll(path);
    expect(offsets).toHaveLength(1520);
    expect(offsets[1519]).toEqual([1519, 1519]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.file).toBe(path);
    expect(warnings[0]!.position).toBe(walkRawBatches(readFileSync(fixturePath('kafka-keyed/test-0921-0/00000000000000000000.log')))[1520]!.position);
  });
});

describe('corrupt logs are errors naming the file and byte', () => {
  it('a flipped bit in the middle batch: the CRC field of that batch', () => {
    const { batches, positions } = fiveBatches();
    const path = writeLog(temp.make(), 0, ...batches);
    const bytes = readFileSync(path);
    bytes[positions[2]! + 100]! ^= 0x04;
    writeFileSync(path, bytes);
    const error = formatError(() => scanAll(path));
    expect(error.file).toBe(path);
    expect(error.position).toBe(positions[2]! + 17);
    expect(error.reason).toMatch(/CRC-32C mismatch in batch at offset 7/);
    // Header scans do not read record bytes, and checksums can be switched off.
    expect(scanHeaders(path).offsets).toEqual(FIVE);
    expect(scanAll(path, false).offsets).toEqual(FIVE);
  });

  it('the batches before a corrupt one are yielded before the error', () => {
    const { batches, positions } = fiveBatches();
    const path = writeLog(temp.make(), 0, ...batches);
    const bytes = readFileSync(path);
    bytes[positions[3]! + 70]! ^= 0x01;
    writeFileSync(path, bytes);
    const file = new SegmentFile(path);
    const seen: number[] = [];
    expect(() => {
      for (const batch of scanBatches(file)) seen.push(batch.baseOffset);
    }).toThrow(LogFormatError);
    file.close();
    expect(seen).toEqual([0, 5, 7]);
  });

  it.each([5, 0, 13, -1, -2_000_000_000])('an impossible length %i: the length field', (length) => {
    const { batches, positions } = fiveBatches();
    const path = writeLog(temp.make(), 0, ...batches);
    const bytes = readFileSync(path);
    bytes.writeInt32BE(length, positions[1]! + 8);
    writeFileSync(path, bytes);
    for (const scan of [scanAll, scanHeaders]) {
      const error = formatError(() => scan(path));
      expect(error.file).toBe(path);
      expect(error.position).toBe(positions[1]! + 8);
      expect(error.reason).toMatch(/impossible batch length/);
    }
  });

  it('a v2 length below the 61-byte header (but a possible legacy size): the length field', () => {
    const { batches, positions } = fiveBatches();
    const path = writeLog(temp.make(), 0, ...batches);
    const bytes = readFileSync(path);
    bytes.writeInt32BE(30, positions[1]! + 8);
    writeFileSync(path, bytes);
    for (const scan of [scanAll, scanHeaders]) {
      const error = formatError(() => scan(path));
      expect(error.position).toBe(positions[1]! + 8);
      expect(error.reason).toMatch(/below the v2 minimum/);
    }
  });

  it.each([7, 3, -1, 0x7f])('unknown magic %i: the magic byte', (magic) => {
    const { batches, positions } = fiveBatches();
    const path = writeLog(temp.make(), 0, ...batches);
    const bytes = readFileSync(path);
    bytes[positions[2]! + 16] = magic & 0xff;
    writeFileSync(path, bytes);
    for (const scan of [scanAll, scanHeaders]) {
      const error = formatError(() => scan(path));
      expect(error.file).toBe(path);
      expect(error.position).toBe(positions[2]! + 16);
      expect(error.reason).toMatch(/unknown magic/);
    }
  });

  it('offsets going backwards: the batch that goes back', () => {
    const path = writeLog(temp.make(), 0, batchAt(10, 3), batchAt(13, 1), batchAt(5, 1));
    for (const scan of [scanAll, scanHeaders]) {
      const error = formatError(() => scan(path));
      expect(error.position).toBe(batchAt(10, 3).length + batchAt(13, 1).length);
      expect(error.reason).toMatch(/offsets go backwards/);
    }
  });

  it('a repeated batch (the same last offset twice) is an error', () => {
    const path = writeLog(temp.make(), 0, batchAt(0, 2), batchAt(0, 2));
    expect(formatError(() => scanAll(path)).position).toBe(batchAt(0, 2).length);
  });

  it('a text file is not a log', () => {
    const path = join(temp.make(), '00000000000000000000.log');
    writeFileSync(path, 'This is not a Kafka log.\nIt is a note someone left in the partition folder.\n'.repeat(20));
    for (const scan of [scanAll, scanHeaders]) expect(formatError(() => scan(path)).file).toBe(path);
  });

  it('random bytes never crash the scanner nor yield batches: an error or a warning', () => {
    const dir = temp.make();
    const path = join(dir, '00000000000000000000.log');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 3000 }), (bytes) => {
        writeFileSync(path, bytes);
        let result: { offsets: number[][]; warnings: LogWarning[] };
        try {
          result = scanAll(path);
        } catch (error) {
          expect(error).toBeInstanceOf(LogFormatError);
          expect((error as LogFormatError).file).toBe(path);
          return;
        }
        expect(result.offsets).toEqual([]);
        expect(result.warnings.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes after valid batches: the batches, then an error or a warning, never garbage', () => {
    const dir = temp.make();
    const path = join(dir, '00000000000000000000.log');
    const valid = Buffer.concat(fiveBatches().batches);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 500 }), (junk) => {
        writeFileSync(path, Buffer.concat([valid, junk]));
        try {
          const result = scanAll(path);
          expect(result.offsets).toEqual(FIVE);
          expect(result.warnings.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(LogFormatError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
