import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_LOGS, fixturePath } from '../log-fixtures.test-support';
import { scanBatchHeaders } from './batch-scanner';
import { DEFAULT_INDEX_INTERVAL_BYTES, IndexBuilder } from './index-builder';
import { SegmentFile } from './segment-file';

function rebuild(logPath: string, baseOffset: number): ReturnType<IndexBuilder['seal']> & { batches: number } {
  const builder = new IndexBuilder(baseOffset);
  const file = new SegmentFile(logPath);
  let batches = 0;
  for (const header of scanBatchHeaders(file)) {
    builder.add(header);
    batches++;
  }
  file.close();
  return { ...builder.seal(), batches };
}

describe('rebuilt indexes equal the ones Kafka wrote', () => {
  it('__cluster_metadata-0/00000000000001725413: 213 offset and 214 time entries, byte for byte', () => {
    const segment = fixturePath('kafka-3.7-kraft/__cluster_metadata-0/00000000000001725413');
    const { offsetIndex, timeIndex, batches } = rebuild(`${segment}.log`, 1_725_413);
    expect(batches).toBe(12_105);
    expect(offsetIndex.entryCount).toBe(213);
    expect(timeIndex.entryCount).toBe(214);
    expect(offsetIndex.toBuffer().equals(readFileSync(`${segment}.index`))).toBe(true);
    expect(timeIndex.toBuffer().equals(readFileSync(`${segment}.timeindex`))).toBe(true);
  });

  it('every sealed segment of every fixture that kept its index files', () => {
    const checked: string[] = [];
    for (const set of ['kafka-0.11', 'kafka-3.7-kraft', 'kafka-keyed']) {
      for (const dir of readdirSync(join(FIXTURE_LOGS, set), { withFileTypes: true })) {
        if (!dir.isDirectory()) continue;
        for (const name of readdirSync(join(FIXTURE_LOGS, set, dir.name))) {
          const m = /^(\d{20})\.index$/.exec(name);
          if (!m) continue;
          const base = join(FIXTURE_LOGS, set, dir.name, m[1]!);
          const { offsetIndex, timeIndex } = rebuild(`${base}.log`, Number(m[1]));
          expect(offsetIndex.toBuffer().equals(readFileSync(`${base}.index`)), `${base}.index`).toBe(true);
          expect(timeIndex.toBuffer().equals(readFileSync(`${base}.timeindex`)), `${base}.timeindex`).toBe(true);
          checked.push(`${set}/${dir.name}/${m[1]}`);
        }
      }
    }
    // 3 + 1 kafka-0.11 segments, 2 + 2 compacted offsets segments, the metadata and retention-emptied
    // segments, and the 48 empty __consumer_offsets segments of kafka-3.7-kraft.
    expect(checked).toContain('kafka-0.11/test0-2/00000000000000000000');
    expect(checked).toContain('kafka-3.7-kraft/__consumer_offsets-31/00000000000000000003');
    expect(checked.length).toBe(4 + 4 + 2 + 48);
  });
});

type Header = { position: number; sizeInBytes: number; lastOffset: number; maxTimestamp: number };

function headers(...batches: [size: number, lastOffset: number, maxTimestamp: number][]): Header[] {
  let position = 0;
  return batches.map(([sizeInBytes, lastOffset, maxTimestamp]) => {
    const header = { position, sizeInBytes, lastOffset, maxTimestamp };
    position += sizeInBytes;
    return header;
  });
}

function entries(builder: IndexBuilder, sealed: boolean) {
  const { offsetIndex, timeIndex } = sealed ? builder.seal() : builder.build();
  return {
    offsets: Array.from({ length: offsetIndex.entryCount }, (_, i) => offsetIndex.entry(i)),
    times: Array.from({ length: timeIndex.entryCount }, (_, i) => timeIndex.entry(i)),
  };
}

describe("Kafka's index.interval.bytes rule", () => {
  it('defaults to 4096 bytes', () => {
    expect(DEFAULT_INDEX_INTERVAL_BYTES).toBe(4096);
  });

  it('never indexes the first batch, and indexes a batch once MORE than the interval was written before it', () => {
    const builder = new IndexBuilder(100, 100);
    // 100 bytes then 1: after the first batch exactly 100 bytes are pending, which is not more than 100.
    for (const h of headers([100, 100, 10], [1, 101, 20], [50, 103, 30], [40, 104, 40], [10, 105, 50])) builder.add(h);
    expect(entries(builder, false)).toEqual({
      offsets: [{ offset: 101 + 2, position: 101 }],
      times: [{ timestamp: 30, offset: 103 }],
    });
  });

  it('time entries carry the max timestamp so far and the offset of the batch that set it', () => {
    const builder = new IndexBuilder(0, 10);
    for (const h of headers([20, 0, 500], [20, 1, 100], [20, 2, 200], [20, 3, 600], [20, 4, 50])) builder.add(h);
    expect(entries(builder, false)).toEqual({
      offsets: [1, 2, 3, 4].map((o) => ({ offset: o, position: o * 20 })),
      // before batch 1 the max is 500 (offset 0); it does not grow until batch 3 (600)
      times: [
        { timestamp: 500, offset: 0 },
        { timestamp: 600, offset: 3 },
      ],
    });
  });

  it('sealing adds the close-time entry only when the max timestamp is new', () => {
    const grows = new IndexBuilder(0, 30);
    for (const h of headers([20, 0, 1], [20, 1, 2], [20, 2, 3], [20, 5, 9])) grows.add(h);
    expect(entries(grows, false).times).toEqual([{ timestamp: 3, offset: 2 }]);
    expect(entries(grows, true).times).toEqual([
      { timestamp: 3, offset: 2 },
      { timestamp: 9, offset: 5 },
    ]);
    const flat = new IndexBuilder(0, 10);
    for (const h of headers([20, 0, 7], [20, 1, 7], [20, 2, 7])) flat.add(h);
    expect(entries(flat, true).times).toEqual([{ timestamp: 7, offset: 0 }]);
  });

  it('batches without timestamps (-1) add no time entries and never lower the maximum', () => {
    const builder = new IndexBuilder(0, 10);
    for (const h of headers([20, 0, -1], [20, 1, -1], [20, 2, 300], [20, 3, -1], [20, 4, -1])) builder.add(h);
    expect(builder.largestTimestamp).toBe(300);
    const { offsets, times } = entries(builder, true);
    expect(offsets.map((e) => e.offset)).toEqual([1, 2, 3, 4]);
    expect(times).toEqual([{ timestamp: 300, offset: 2 }]);
  });

  it('a single small sealed segment has no offset entry and one time entry (as kafka-0.11 left them)', () => {
    const builder = new IndexBuilder(0);
    for (const h of headers([69, 0, 5], [69, 1, 8], [69, 2, 6])) builder.add(h);
    const { offsets, times } = entries(builder, true);
    expect(offsets).toEqual([]);
    expect(times).toEqual([{ timestamp: 8, offset: 1 }]);
  });

  it('an empty segment seals to empty indexes', () => {
    expect(entries(new IndexBuilder(78), true)).toEqual({ offsets: [], times: [] });
    expect(new IndexBuilder(78).largestTimestamp).toBe(-1);
  });
});
