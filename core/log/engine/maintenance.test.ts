import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseOffsetCheckpoint } from '../logdir/checkpoint-file';
import { LogDirectory } from '../logdir/log-directory';
import { LogEngine } from './log-engine';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openEngine(now: () => number): LogEngine {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapedeck-engine-maintenance-'));
  dirs.push(dir);
  return LogEngine.open(dir, { maintenanceIntervalMs: 0, now });
}

const text = (b: Buffer | null) => (b === null ? null : b.toString());

describe('compaction through the engine', () => {
  it('keeps the latest value per key in sealed segments, keeps offsets, checkpoints the cleaner position', () => {
    let clock = 1_700_000_000_000;
    const engine = openEngine(() => clock);
    engine.createTopic('users', { config: { 'cleanup.policy': 'compact', 'segment.bytes': 400, 'delete.retention.ms': 1000 } });
    const values: [string, string | null][] = [];
    for (let i = 0; i < 60; i++) {
      const key = `user-${i % 5}`;
      const value = i === 57 ? null : `v${i}`;
      values.push([key, value]);
      engine.appendRecords('users', 0, [{ key: Buffer.from(key), value: value === null ? null : Buffer.from(value), timestamp: clock++ }]);
    }
    const end = engine.endOffset('users', 0);
    const activeBase = engine.partitionWriter('users', 0).reader().segments.at(-1)!.baseOffset;
    const results = engine.runCompaction(clock);
    expect(results).toHaveLength(1);
    expect(results[0]!.report.firstDirtyOffset).toBe(activeBase);

    const survivors = engine.read('users', 0, { fromOffset: 0 }).map(({ record }) => [record.offset, text(record.key), text(record.value)]);
    // Sealed part: only the last record of each key below the active segment; active part untouched.
    const expected = values
      .map(([key, value], offset) => [offset, key, value] as const)
      .filter(([offset, key]) => offset >= activeBase || !values.some(([k], later) => k === key && later > offset && later < activeBase));
    expect(survivors).toEqual(expected);
    expect(engine.endOffset('users', 0)).toBe(end);
    engine.close();

    const checkpoint = parseOffsetCheckpoint(readFileSync(path.join(engine.dir, 'cleaner-offset-checkpoint'), 'utf8'), 'cleaner');
    expect(checkpoint).toEqual([{ topic: 'users', partition: 0, offset: activeBase }]);
    const dir = LogDirectory.open(engine.dir);
    expect(dir.partition('users', 0)!.summary().records).toBe(expected.length);
    expect(dir.warnings).toEqual([]);
  });

  it('leaves delete-only topics alone, and retention leaves compact-only topics alone', () => {
    let clock = 1_700_000_000_000;
    const engine = openEngine(() => clock);
    engine.createTopic('events', { config: { 'segment.bytes': 300, 'retention.ms': 10 } });
    engine.createTopic('state', { config: { 'cleanup.policy': 'compact', 'segment.bytes': 300, 'retention.ms': 10 } });
    for (let i = 0; i < 30; i++) {
      engine.appendRecords('events', 0, [{ key: Buffer.from('same'), value: Buffer.from(`e${i}`), timestamp: clock }]);
      engine.appendRecords('state', 0, [{ key: Buffer.from('same'), value: Buffer.from(`s${i}`), timestamp: clock }]);
    }
    expect(engine.runCompaction(clock).map((r) => r.partition)).toEqual(['state-0']);
    expect(engine.read('events', 0, { fromOffset: 0 })).toHaveLength(30);
    clock += 1000;
    expect(engine.runRetention(clock).map((r) => r.partition)).toEqual(['events-0']);
    expect(engine.startOffset('state', 0)).toBe(0);
    expect(engine.startOffset('events', 0)).toBeGreaterThan(0);
    engine.close();
  });
});

describe('data the engine did not write', () => {
  it('is neither deleted by retention nor compacted until its topic is given a config', async () => {
    const { cpSync } = await import('node:fs');
    const { FIXTURE_LOGS } = await import('../log-fixtures.test-support');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tapedeck-unmanaged-'));
    dirs.push(dir);
    cpSync(path.join(FIXTURE_LOGS, 'kafka-keyed'), dir, { recursive: true });
    const far = Date.parse('2030-01-01T00:00:00Z');
    const engine = LogEngine.open(dir, { maintenanceIntervalMs: 0, now: () => far });
    // Roll so the 2019 data sits in a sealed segment, long past the default 7-day retention.
    engine.partitionWriter('test-0921', 0).roll(far);
    expect(engine.describeTopic('test-0921')!.managed).toBe(false);
    expect(engine.runRetention(far)).toEqual([]);
    expect(engine.runCompaction(far)).toEqual([]);
    expect(engine.read('test-0921', 0, { fromOffset: 0 })).toHaveLength(1521);
    engine.alterTopicConfig('test-0921', { 'retention.ms': 1000 });
    expect(engine.runRetention(far).map((r) => r.partition)).toEqual(['test-0921-0']);
    expect(engine.startOffset('test-0921', 0)).toBe(1521);
    engine.close();
  });
});
