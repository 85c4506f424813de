import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../log-fixtures.test-support';
import { TIME_INDEX_ENTRY_SIZE, TimeIndex } from './time-index';

const BASE = 1_725_413;
const SEGMENT = fixturePath('kafka-3.7-kraft/__cluster_metadata-0/00000000000001725413');

function timeIndexBytes(entries: [number, number][]): Buffer {
  const buf = Buffer.alloc(entries.length * 12);
  entries.forEach(([ts, rel], i) => {
    buf.writeBigInt64BE(BigInt(ts), i * 12);
    buf.writeInt32BE(rel, i * 12 + 8);
  });
  return buf;
}

function parsed(bytes: Buffer, base = BASE): TimeIndex {
  const index = TimeIndex.parse(bytes, base);
  if (!(index instanceof TimeIndex)) throw new Error(`not parsed: ${index.problem}`);
  return index;
}

describe('TimeIndex.parse on Kafka\'s files', () => {
  it('reads the 214 entries of __cluster_metadata-0 and writes them back byte for byte', () => {
    const bytes = readFileSync(`${SEGMENT}.timeindex`);
    const index = parsed(bytes);
    expect(index.entryCount).toBe(214);
    expect(index.entryCount * TIME_INDEX_ENTRY_SIZE).toBe(bytes.length);
    expect(index.toBuffer().equals(bytes)).toBe(true);
    const last = index.entry(213);
    expect(last).toEqual({ timestamp: Number(bytes.readBigInt64BE(213 * 12)), offset: BASE + bytes.readInt32BE(213 * 12 + 8) });
    expect(index.lastTimestamp).toBe(last.timestamp);
  });

  it('reads the single close-time entry of a kafka-0.11 segment: (max timestamp, offset 10)', () => {
    const index = parsed(readFileSync(fixturePath('kafka-0.11/test0-0/00000000000000000000.timeindex')), 0);
    expect(index.entryCount).toBe(1);
    expect(index.entry(0)).toEqual({ timestamp: 1_600_054_618_983, offset: 10 });
  });

  it('floorOffset gives the offset of the greatest entry with timestamp <= target, else the base', () => {
    const index = parsed(readFileSync(`${SEGMENT}.timeindex`));
    const entries = Array.from({ length: index.entryCount }, (_, i) => index.entry(i));
    const first = entries[0]!.timestamp;
    const last = index.lastTimestamp;
    fc.assert(
      fc.property(fc.integer({ min: first - 10_000, max: last + 10_000 }), (target) => {
        const below = entries.filter((e) => e.timestamp <= target);
        expect(index.floorOffset(target)).toBe(below.length ? below[below.length - 1]!.offset : BASE);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('TimeIndex.parse trust rules', () => {
  it('an empty index knows no timestamp', () => {
    const index = parsed(Buffer.alloc(0), 5);
    expect([index.entryCount, index.lastTimestamp, index.floorOffset(123)]).toEqual([0, -1, 5]);
  });

  it('trailing all-zero entries are preallocated space and end the index', () => {
    const real = timeIndexBytes([
      [1000, 2],
      [2000, 7],
    ]);
    const index = parsed(Buffer.concat([real, Buffer.alloc(12 * 5000)]), 0);
    expect(index.entryCount).toBe(2);
    expect(index.toBuffer().equals(real)).toBe(true);
  });

  it('refuses a size that is not a multiple of 12', () => {
    expect(TimeIndex.parse(Buffer.alloc(16), 0)).toEqual({ problem: expect.stringMatching(/size 16 is not a multiple of 12/) });
  });

  it('refuses timestamps that do not strictly increase', () => {
    expect(TimeIndex.parse(timeIndexBytes([[2000, 1], [1000, 2]]), 0)).toHaveProperty('problem', expect.stringMatching(/entry 1 has timestamp 1000/));
    expect(TimeIndex.parse(timeIndexBytes([[2000, 1], [2000, 2]]), 0)).toHaveProperty('problem');
  });

  it('refuses offsets that go down, but allows equal ones', () => {
    expect(TimeIndex.parse(timeIndexBytes([[1000, 5], [2000, 4]]), 0)).toHaveProperty('problem', expect.stringMatching(/relative offset 4/));
    expect(parsed(timeIndexBytes([[1000, 5], [2000, 5]]), 0).entryCount).toBe(2);
    expect(TimeIndex.parse(timeIndexBytes([[1000, -1]]), 0)).toHaveProperty('problem');
  });
});
