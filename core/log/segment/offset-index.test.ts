import { readFileSync, statSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../log-fixtures.test-support';
import { OFFSET_INDEX_ENTRY_SIZE, OffsetIndex } from './offset-index';

const BASE = 1_725_413;
const SEGMENT = fixturePath('kafka-3.7-kraft/__cluster_metadata-0/00000000000001725413');
const LOG_SIZE = 874_344;

function indexBytes(entries: [number, number][]): Buffer {
  const buf = Buffer.alloc(entries.length * 8);
  entries.forEach(([rel, pos], i) => {
    buf.writeInt32BE(rel, i * 8);
    buf.writeInt32BE(pos, i * 8 + 4);
  });
  return buf;
}

function parsed(bytes: Buffer, base = BASE, logSize = LOG_SIZE): OffsetIndex {
  const index = OffsetIndex.parse(bytes, base, logSize);
  if (!(index instanceof OffsetIndex)) throw new Error(`not parsed: ${index.problem}`);
  return index;
}

describe('OffsetIndex.parse on Kafka\'s file', () => {
  const bytes = readFileSync(`${SEGMENT}.index`);

  it('reads the 213 entries of __cluster_metadata-0 and writes them back byte for byte', () => {
    expect(statSync(`${SEGMENT}.log`).size).toBe(LOG_SIZE);
    const index = parsed(bytes);
    expect(index.entryCount).toBe(213);
    expect(index.entryCount * OFFSET_INDEX_ENTRY_SIZE).toBe(bytes.length);
    expect(index.entry(0)).toEqual({ offset: BASE + bytes.readInt32BE(0), position: bytes.readInt32BE(4) });
    expect(index.toBuffer().equals(bytes)).toBe(true);
  });

  it('floor gives the greatest entry at or below the target, else the segment start', () => {
    const index = parsed(bytes);
    const entries = Array.from({ length: index.entryCount }, (_, i) => index.entry(i));
    fc.assert(
      fc.property(fc.integer({ min: BASE - 10, max: BASE + 12_200 }), (target) => {
        const below = entries.filter((e) => e.offset <= target);
        expect(index.floor(target)).toEqual(below.length ? below[below.length - 1] : { offset: BASE, position: 0 });
      }),
      { numRuns: 2000 },
    );
    for (const e of entries) expect(index.floor(e.offset)).toEqual(e);
  });
});

describe('OffsetIndex.parse trust rules', () => {
  it('an empty file is an empty index whose floor is the segment start', () => {
    const index = parsed(Buffer.alloc(0), 78);
    expect(index.entryCount).toBe(0);
    expect(index.floor(1000)).toEqual({ offset: 78, position: 0 });
  });

  it('trailing all-zero entries are preallocated space and end the index', () => {
    const real = indexBytes([
      [3, 100],
      [9, 500],
    ]);
    const index = parsed(Buffer.concat([real, Buffer.alloc(64 * 1024)]), 0, 1000);
    expect(index.entryCount).toBe(2);
    expect(index.toBuffer().equals(real)).toBe(true);
  });

  it('a first entry of (0, 0) is real: the first batch ends at the base offset', () => {
    expect(parsed(indexBytes([[0, 0], [5, 80]]), 0, 1000).entryCount).toBe(2);
  });

  it('refuses a size that is not a multiple of 8', () => {
    expect(OffsetIndex.parse(Buffer.alloc(12), 0, 1000)).toEqual({ problem: expect.stringMatching(/size 12 is not a multiple of 8/) });
  });

  it('refuses offsets that do not increase, and negative ones', () => {
    expect(OffsetIndex.parse(indexBytes([[5, 10], [5, 20]]), 0, 1000)).toHaveProperty('problem', expect.stringMatching(/entry 1/));
    expect(OffsetIndex.parse(indexBytes([[5, 10], [4, 20]]), 0, 1000)).toHaveProperty('problem');
    expect(OffsetIndex.parse(indexBytes([[-1, 10]]), 0, 1000)).toHaveProperty('problem', expect.stringMatching(/entry 0/));
  });

  it('refuses positions past the log, negative or not increasing', () => {
    expect(OffsetIndex.parse(indexBytes([[1, 1000]]), 0, 1000)).toHaveProperty('problem', expect.stringMatching(/1000-byte log/));
    expect(OffsetIndex.parse(indexBytes([[1, -4]]), 0, 1000)).toHaveProperty('problem');
    expect(OffsetIndex.parse(indexBytes([[1, 50], [2, 50]]), 0, 1000)).toHaveProperty('problem', expect.stringMatching(/entry 1/));
  });

  it('round-trips random increasing entries', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 50 }), fc.integer({ min: 0, max: 2 ** 40 }), (rels, base) => {
        const sorted = [...rels].sort((a, b) => a - b);
        const bytes = indexBytes(sorted.map((r) => [r, r * 3]));
        const index = parsed(bytes, base, 10_000_000);
        expect(index.entryCount).toBe(sorted.length);
        expect(index.toBuffer().equals(bytes)).toBe(true);
        sorted.forEach((r, i) => expect(index.entry(i)).toEqual({ offset: base + r, position: r * 3 }));
      }),
    );
  });
});
