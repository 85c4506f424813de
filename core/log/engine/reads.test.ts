import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeControlKey, encodeEndTransactionValue } from '../batch/control-record';
import { encodeRecordBatch } from '../batch/record-batch-encoder';
import { EngineError } from './engine-error';
import { offsetsOf, readAll, rec, recs, segmentBases, useEngines, valuesOf } from './engine.test-support';
import type { LogEngine } from './log-engine';

const engines = useEngines();

/** 40 batches of 1-5 records over several segments; returns each batch's offsets and size. */
function populated(): { engine: LogEngine; batches: { base: number; last: number; size: number }[] } {
  const engine = engines.fresh();
  engine.createTopic('t', { config: { 'segment.bytes': 1200 } });
  const batches: { base: number; last: number; size: number }[] = [];
  for (let i = 0; i < 40; i++) {
    const records = recs(1 + (i % 5), `v${engine.endOffset('t', 0)}+`, { size: 20 });
    const encoded = encodeRecordBatch({ baseOffset: 0, records });
    const result = engine.appendBatch('t', 0, encoded);
    batches.push({ base: result.baseOffset, last: result.lastOffset, size: encoded.length });
  }
  expect(segmentBases(path.join(engine.dir, 't-0')).length).toBeGreaterThan(3);
  return { engine, batches };
}

function outOfRange(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EngineError && error.code === 'OFFSET_OUT_OF_RANGE') return error;
    throw error;
  }
  throw new Error('expected OFFSET_OUT_OF_RANGE');
}

describe('read', () => {
  it('reads from any offset across segments, bounded by maxRecords', () => {
    const { engine } = populated();
    const end = engine.endOffset('t', 0);
    const all = readAll(engine, 't');
    expect(offsetsOf(all)).toEqual(Array.from({ length: end }, (_, i) => i));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: end }), fc.integer({ min: 1, max: end + 5 }), (from, max) => {
        const got = engine.read('t', 0, { fromOffset: from, maxRecords: max });
        expect(offsetsOf(got)).toEqual(offsetsOf(all).slice(from, from + max));
      }),
      { numRuns: 150 },
    );
  });

  it('bounds by maxBytes in whole batches, always returning at least one batch', () => {
    const { engine, batches } = populated();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: batches.length - 1 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 2000 }), (b, skip, maxBytes) => {
        const batch = batches[b]!;
        const from = Math.min(batch.base + skip, batch.last);
        // Expected: the batch holding `from`, then following batches while the total stays within maxBytes.
        let total = batch.size;
        let lastOffset = batch.last;
        for (const next of batches.slice(b + 1)) {
          if (total + next.size > maxBytes) break;
          total += next.size;
          lastOffset = next.last;
        }
        const got = engine.read('t', 0, { fromOffset: from, maxBytes });
        expect(offsetsOf(got)).toEqual(Array.from({ length: lastOffset - from + 1 }, (_, i) => from + i));
      }),
      { numRuns: 200 },
    );
  });

  it('at the log end returns nothing; outside [start, end] is OFFSET_OUT_OF_RANGE', () => {
    const { engine } = populated();
    const end = engine.endOffset('t', 0);
    expect(engine.read('t', 0, { fromOffset: end })).toEqual([]);
    expect(outOfRange(() => engine.read('t', 0, { fromOffset: end + 1 })).message).toMatch(new RegExp(`0 to ${end - 1}.*${end + 1}`));
    outOfRange(() => engine.read('t', 0, { fromOffset: -1 }));
    engine.createTopic('empty');
    expect(engine.read('empty', 0, { fromOffset: 0 })).toEqual([]);
    outOfRange(() => engine.read('empty', 0, { fromOffset: 1 }));
  });

  it('leaves transaction markers out unless asked, but they keep their offsets', () => {
    const engine = engines.fresh();
    engine.createTopic('tx');
    const data = encodeRecordBatch({ baseOffset: 0, producerId: 5, producerEpoch: 0, baseSequence: 0, isTransactional: true, records: [rec('a'), rec('b')] });
    engine.appendBatch('tx', 0, data);
    // A marker as the transaction coordinator writes it, straight onto the partition (not through appendBatch).
    const marker = encodeRecordBatch({ baseOffset: 0, isControl: true, isTransactional: true, producerId: 5, producerEpoch: 0, records: [{ key: encodeControlKey('COMMIT'), value: encodeEndTransactionValue(0), timestamp: 1 }] });
    engine.partitionWriter('tx', 0).append(marker);
    engine.appendRecords('tx', 0, [rec('c')]);
    expect(offsetsOf(engine.read('tx', 0, { fromOffset: 0 }))).toEqual([0, 1, 3]);
    expect(offsetsOf(engine.read('tx', 0, { fromOffset: 0, includeControl: true }))).toEqual([0, 1, 2, 3]);
    expect(offsetsOf(engine.read('tx', 0, { fromOffset: 2 }))).toEqual([3]);
  });
});

describe('offsetForTimestamp', () => {
  it('agrees with a linear scan (the first offset whose timestamp >= target), across segments', () => {
    const engine = engines.fresh();
    engine.createTopic('t', { config: { 'segment.bytes': 900, 'index.interval.bytes': 150 } });
    const base = 1_700_000_000_000;
    let s = 99;
    const nextTs = () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s % 7 === 0 ? -1 : base + (s % 5000);
    };
    for (let i = 0; i < 120; i++) engine.appendRecords('t', 0, Array.from({ length: 1 + (i % 3) }, (_, j) => rec(`r${i}.${j}`, nextTs())));
    const all = readAll(engine, 't').map((r) => ({ offset: r.record.offset, timestamp: r.record.timestamp }));
    const linear = (target: number) => all.find((r) => r.timestamp >= target)?.offset;
    fc.assert(
      fc.property(fc.integer({ min: base - 10, max: base + 5010 }), (target) => {
        expect(engine.offsetForTimestamp('t', 0, target)).toBe(linear(target));
      }),
      { numRuns: 300 },
    );
    for (const r of all) if (r.timestamp >= 0) expect(engine.offsetForTimestamp('t', 0, r.timestamp)).toBe(linear(r.timestamp));
    expect(engine.offsetForTimestamp('t', 0, base + 6000)).toBeUndefined();
  });
});

describe('waiting for appends', () => {
  it('waitForAppend resolves true when an append passes the offset, false on timeout or abort', async () => {
    const engine = engines.fresh();
    engine.createTopic('t', { partitions: 2 });
    engine.appendRecords('t', 0, recs(2, 'x'));
    await expect(engine.waitForAppend('t', 0, 1, 10)).resolves.toBe(true);
    const started = Date.now();
    await expect(engine.waitForAppend('t', 0, 2, 60)).resolves.toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);

    const waiting = engine.waitForAppend('t', 0, 3, 5000);
    let settled = false;
    void waiting.then(() => (settled = true));
    engine.appendRecords('t', 1, recs(5, 'other'));
    engine.appendRecords('t', 0, recs(1, 'y'));
    await new Promise((r) => setTimeout(r, 10));
    // Offset 2 is there, offset 3 is not yet: still waiting, and another partition does not count.
    expect(settled).toBe(false);
    engine.appendRecords('t', 0, recs(1, 'z'));
    await expect(waiting).resolves.toBe(true);

    const controller = new AbortController();
    const aborted = engine.waitForAppend('t', 0, 100, 5000, controller.signal);
    controller.abort();
    await expect(aborted).resolves.toBe(false);
  });

  it('follow yields records appended after it started, in order, and stops on abort', async () => {
    const engine = engines.fresh();
    engine.createTopic('t', { config: { 'segment.bytes': 400 } });
    engine.appendRecords('t', 0, recs(3, 'old'));
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const r of engine.follow('t', 0, engine.endOffset('t', 0), controller.signal)) {
        seen.push(`${r.record.offset}:${r.record.value!.toString()}`);
        if (seen.length === 30) controller.abort();
      }
    })();
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 2));
      engine.appendRecords('t', 0, recs(3, `n${i}-`, { size: 30 }));
    }
    await following;
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `${i + 3}:${`n${Math.floor(i / 3)}-${i % 3}`.padEnd(30, '.')}`));
    expect(segmentBases(path.join(engine.dir, 't-0')).length).toBeGreaterThan(1);
  });

  it('follow ends when aborted while waiting at the log end', async () => {
    const engine = engines.fresh();
    engine.createTopic('t');
    const controller = new AbortController();
    const seen: number[] = [];
    const following = (async () => {
      for await (const r of engine.follow('t', 0, 0, controller.signal)) seen.push(r.record.offset);
    })();
    engine.appendRecords('t', 0, recs(2, 'a'));
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    controller.abort();
    await following;
    expect(Date.now() - started).toBeLessThan(500);
    expect(seen).toEqual([0, 1]);
    expect(valuesOf(readAll(engine, 't'))).toEqual(['a0', 'a1']);
  });
});
