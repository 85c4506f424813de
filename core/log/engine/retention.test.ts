import { readFileSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogDirectory } from '../logdir/log-directory';
import { parseOffsetCheckpoint } from '../logdir/checkpoint-file';
import { segmentFileName } from '../segment/log-segment';
import { EngineError } from './engine-error';
import { FakeClock, offsetsOf, readAll, rec, recordListing, recs, segmentBases, snapshotBases, useEngines } from './engine.test-support';
import type { LogEngine } from './log-engine';

const engines = useEngines();
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

/** One segment per hour of record time: segment i holds records stamped T0 + i hours (+ a few ms). */
function hourlySegments(engine: LogEngine, topic: string, hours: number, perHour = 4): void {
  for (let h = 0; h < hours; h++) {
    for (let i = 0; i < perHour; i++) engine.appendRecords(topic, 0, [rec(`h${h}.${i}`.padEnd(50, '.'), T0 + h * HOUR + i)]);
    engine.partitionWriter(topic, 0).roll();
  }
}

function sizeOf(engine: LogEngine, topic: string): number {
  const dir = path.join(engine.dir, `${topic}-0`);
  return segmentBases(dir).reduce((sum, b) => sum + statSync(path.join(dir, segmentFileName(b, '.log'))).size, 0);
}

function outOfRange(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (error instanceof EngineError && error.code === 'OFFSET_OUT_OF_RANGE') return;
    throw error;
  }
  throw new Error('expected OFFSET_OUT_OF_RANGE');
}

describe('retention.ms', () => {
  it('deletes whole sealed segments whose newest record is older than the limit, oldest first', () => {
    const clock = new FakeClock(T0);
    const engine = engines.fresh({ now: clock.now });
    engine.createTopic('t', { config: { 'retention.ms': 2 * HOUR } });
    hourlySegments(engine, 't', 6);
    engine.appendRecords('t', 0, [rec('active', T0 + 6 * HOUR)]);
    const dir = path.join(engine.dir, 't-0');
    expect(segmentBases(dir)).toEqual([0, 4, 8, 12, 16, 20, 24]);
    // Now = T0 + 4h + 3ms + 2h: segments 0-3 (newest at T0+3h+3ms) are more than 2h old; segment 4 is exactly 2h old: kept.
    clock.time = T0 + 6 * HOUR + 3;
    const bytes = sizeOf(engine, 't');
    const [result] = engine.runRetention();
    expect(result).toMatchObject({ partition: 't-0', result: { deletedSegments: [0, 4, 8, 12], logStartOffset: 16 } });
    expect(result!.result.bytesFreed).toBe(bytes - sizeOf(engine, 't'));
    expect(segmentBases(dir)).toEqual([16, 20, 24]);
    expect(engine.startOffset('t', 0)).toBe(16);
    expect(offsetsOf(readAll(engine, 't'))[0]).toBe(16);
    outOfRange(() => engine.read('t', 0, { fromOffset: 15 }));
    outOfRange(() => engine.read('t', 0, { fromOffset: 0 }));
    expect(engine.read('t', 0, { fromOffset: 16, maxRecords: 1 })[0]!.record.value!.toString()).toMatch(/^h4\.0/);
    // Producer snapshots below the new log start go with their segments.
    expect(snapshotBases(dir)).toEqual([16, 20, 24]);
    // Nothing more is due.
    expect(engine.runRetention()).toEqual([]);
  });

  it('stops at the first segment that is not expired, even if a later one is', () => {
    const clock = new FakeClock(T0);
    const engine = engines.fresh({ now: clock.now });
    engine.createTopic('t', { config: { 'retention.ms': HOUR } });
    for (const ts of [T0, T0 + 10 * HOUR, T0]) {
      engine.appendRecords('t', 0, [rec('x', ts)]);
      engine.partitionWriter('t', 0).roll();
    }
    clock.time = T0 + 5 * HOUR;
    expect(engine.runRetention().map((r) => r.result.deletedSegments)).toEqual([[0]]);
    expect(segmentBases(path.join(engine.dir, 't-0'))).toEqual([1, 2, 3]);
  });

  it('never deletes the active segment, even when everything in it has expired', () => {
    const clock = new FakeClock(T0);
    const engine = engines.fresh({ now: clock.now });
    engine.createTopic('t', { config: { 'retention.ms': 1000 } });
    hourlySegments(engine, 't', 2);
    engine.appendRecords('t', 0, recs(3, 'old', { timestamp: T0 }));
    clock.time = T0 + 100 * HOUR;
    expect(engine.runRetention().map((r) => r.result.deletedSegments)).toEqual([[0, 4]]);
    expect(segmentBases(path.join(engine.dir, 't-0'))).toEqual([8]);
    expect(engine.startOffset('t', 0)).toBe(8);
    expect(offsetsOf(readAll(engine, 't'))).toEqual([8, 9, 10]);
    expect(engine.runRetention()).toEqual([]);
    // An emptied active segment stays, too.
    engine.createTopic('empty', { config: { 'retention.ms': 1 } });
    expect(engine.runRetention()).toEqual([]);
    expect(segmentBases(path.join(engine.dir, 'empty-0'))).toEqual([0]);
  });

  it('falls back to the file time for segments without timestamps', () => {
    const clock = new FakeClock(Date.now());
    const engine = engines.fresh({ now: clock.now });
    engine.createTopic('t', { config: { 'retention.ms': HOUR } });
    for (let i = 0; i < 3; i++) {
      engine.appendRecords('t', 0, [rec(`none${i}`, -1)]);
      engine.partitionWriter('t', 0).roll();
    }
    const dir = path.join(engine.dir, 't-0');
    const twoHoursAgo = new Date(clock.time - 2 * HOUR);
    utimesSync(path.join(dir, segmentFileName(0, '.log')), twoHoursAgo, twoHoursAgo);
    expect(engine.runRetention().map((r) => r.result.deletedSegments)).toEqual([[0]]);
    clock.advance(2 * HOUR);
    expect(engine.runRetention().map((r) => r.result.deletedSegments)).toEqual([[1, 2]]);
  });

  it('retention.ms=-1 keeps everything', () => {
    const clock = new FakeClock(T0);
    const engine = engines.fresh({ now: clock.now });
    engine.createTopic('t', { config: { 'retention.ms': -1 } });
    hourlySegments(engine, 't', 3);
    clock.time = T0 + 10_000 * HOUR;
    expect(engine.runRetention()).toEqual([]);
  });
});

describe('retention.bytes', () => {
  it('deletes the oldest segments while the partition without them stays at or above the limit (Kafka rule)', () => {
    const clock = new FakeClock(T0);
    const engine = engines.fresh({ now: clock.now });
    engine.createTopic('t', { config: { 'retention.bytes': 1000, 'retention.ms': -1, 'segment.bytes': 400 } });
    for (let i = 0; i < 40; i++) engine.appendRecords('t', 0, [rec(`v${i}`.padEnd(60, '.'), T0 + i)]);
    const dir = path.join(engine.dir, 't-0');
    const before = segmentBases(dir);
    const segmentSize = (b: number) => statSync(path.join(dir, segmentFileName(b, '.log'))).size;
    const sizes = before.map(segmentSize);
    let total = sizes.reduce((a, b) => a + b, 0);
    let expectedDeleted = 0;
    while (expectedDeleted < before.length - 1 && total - sizes[expectedDeleted]! >= 1000) total -= sizes[expectedDeleted++]!;
    expect(expectedDeleted).toBeGreaterThan(2);
    const [result] = engine.runRetention();
    expect(result!.result.deletedSegments).toEqual(before.slice(0, expectedDeleted));
    const after = segmentBases(dir);
    const afterTotal = after.reduce((sum, b) => sum + segmentSize(b), 0);
    // Kept: under the limit plus at most the oldest remaining segment.
    expect(afterTotal - segmentSize(after[0]!)).toBeLessThan(1000);
    expect(afterTotal).toBeGreaterThanOrEqual(1000);
    expect(engine.startOffset('t', 0)).toBe(after[0]);
    // The partition keeps growing and retention keeps it bounded.
    for (let i = 40; i < 200; i++) {
      engine.appendRecords('t', 0, [rec(`v${i}`.padEnd(60, '.'), T0 + i)]);
      engine.runRetention();
      const now = segmentBases(dir);
      expect(now.reduce((sum, b) => sum + segmentSize(b), 0) - segmentSize(now[0]!)).toBeLessThan(1000);
    }
  });
});

describe('the log start offset', () => {
  it('moves, is checkpointed as Kafka does, and survives a restart', () => {
    const clock = new FakeClock(T0);
    const engine = engines.fresh({ now: clock.now });
    engine.createTopic('t', { config: { 'retention.ms': HOUR } });
    engine.createTopic('kept');
    hourlySegments(engine, 't', 4);
    engine.appendRecords('kept', 0, recs(2, 'k'));
    clock.time = T0 + 3 * HOUR;
    engine.runRetention();
    const start = engine.startOffset('t', 0);
    expect(start).toBe(8);
    const file = path.join(engine.dir, 'log-start-offset-checkpoint');
    // Kafka lists a partition only when its log start is above its first segment's base; here the
    // first remaining segment starts at the log start, so the directory itself says where it is.
    const entries = parseOffsetCheckpoint(readFileSync(file, 'utf8'), file);
    expect(entries.filter((e) => e.topic === 't').every((e) => e.offset === start)).toBe(true);
    engine.close();
    const logDir = LogDirectory.open(engine.dir);
    expect(logDir.partition('t', 0)!.startOffset()).toBe(8);
    expect(logDir.warnings).toEqual([]);
    logDir.close();
    const again = engines.open(engine.dir, { now: clock.now });
    expect(again.startOffset('t', 0)).toBe(8);
    outOfRange(() => again.read('t', 0, { fromOffset: 7 }));
    expect(again.endOffset('t', 0)).toBe(16);
  });

  it('is applied by the maintenance timer', async () => {
    const clock = new FakeClock(T0);
    const engine = engines.fresh({ now: clock.now, maintenanceIntervalMs: 10 });
    engine.createTopic('t', { config: { 'retention.ms': HOUR } });
    hourlySegments(engine, 't', 3);
    clock.time = T0 + 10 * HOUR;
    const deadline = Date.now() + 2000;
    while (engine.startOffset('t', 0) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(engine.startOffset('t', 0)).toBe(12);
  });
});

describe('cleanup policies', () => {
  it('leaves compact-only topics untouched, and applies retention to compact,delete', () => {
    const clock = new FakeClock(T0);
    const engine = engines.fresh({ now: clock.now });
    engine.createTopic('compacted', { config: { 'cleanup.policy': 'compact', 'retention.ms': 1, 'retention.bytes': 1 } });
    engine.createTopic('both', { config: { 'cleanup.policy': 'compact,delete', 'retention.ms': HOUR } });
    hourlySegments(engine, 'compacted', 3);
    hourlySegments(engine, 'both', 3);
    const before = recordListing(engine.dir).partitions['compacted-0'];
    clock.time = T0 + 100 * HOUR;
    expect(engine.runRetention().map((r) => r.partition)).toEqual(['both-0']);
    expect(segmentBases(path.join(engine.dir, 'compacted-0'))).toEqual([0, 4, 8, 12]);
    expect(engine.startOffset('compacted', 0)).toBe(0);
    expect(recordListing(engine.dir).partitions['compacted-0']).toEqual(before);
    expect(engine.startOffset('both', 0)).toBe(12);
  });
});
