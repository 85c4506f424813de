import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parseOffsetCheckpoint } from '../logdir/checkpoint-file';
import { FakeClock, recs, useEngines } from './engine.test-support';
import type { LogEngine } from './log-engine';

/**
 * fsync is observed, not replaced: every call still reaches the real fsync, and the file it was
 * for is recorded (through /proc/self/fd), so the tests can tell when a `.log` reached the disk.
 */
const fsynced = vi.hoisted(() => ({ files: [] as string[] }));
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const fsyncSync = (fd: number) => {
    let file = `fd ${fd}`;
    try {
      file = actual.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      // Not Linux: the file stays unnamed.
    }
    fsynced.files.push(file);
    actual.fsyncSync(fd);
  };
  return { ...actual, fsyncSync, default: { ...actual, fsyncSync } };
});

const engines = useEngines();

/** The `.log` files fsynced while `fn` ran. */
function logsFsyncedDuring(fn: () => void): string[] {
  fsynced.files.length = 0;
  fn();
  return fsynced.files.filter((f) => f.endsWith('.log')).map((f) => path.basename(f));
}

function checkpointed(engine: LogEngine, topic: string): number | undefined {
  const file = path.join(engine.dir, 'recovery-point-offset-checkpoint');
  return parseOffsetCheckpoint(readFileSync(file, 'utf8'), file).find((e) => e.topic === topic)?.offset;
}

describe('fsync can be observed here', () => {
  it('records the files fsynced by the engine', () => {
    const engine = engines.fresh();
    engine.createTopic('t', { config: { 'flush.messages': 1 } });
    expect(logsFsyncedDuring(() => engine.appendRecords('t', 0, recs(1, 'x')))).toEqual(['00000000000000000000.log']);
  });
});

describe('flush.messages', () => {
  it('=1 fsyncs the log before every append returns: the recovery point is the log end after each', () => {
    const engine = engines.fresh();
    engine.createTopic('t', { config: { 'flush.messages': 1, 'segment.bytes': 500 } });
    const writer = engine.partitionWriter('t', 0);
    for (let i = 0; i < 20; i++) {
      let result: ReturnType<LogEngine['appendRecords']> | undefined;
      const synced = logsFsyncedDuring(() => (result = engine.appendRecords('t', 0, recs(1 + (i % 3), `v${i}`, { size: 40 }))));
      expect(synced.length, `append ${i}`).toBeGreaterThanOrEqual(1);
      expect(synced.at(-1)).toBe(`${String(writer.reader().segments.at(-1)!.baseOffset).padStart(20, '0')}.log`);
      expect(writer.recoveryPoint).toBe(result!.lastOffset + 1);
      expect(writer.recoveryPoint).toBe(engine.endOffset('t', 0));
    }
  });

  it('=N counts messages (offsets), as Kafka does: log end - recovery point >= N flushes', () => {
    const engine = engines.fresh();
    engine.createTopic('t', { config: { 'flush.messages': 5 } });
    const writer = engine.partitionWriter('t', 0);
    expect(logsFsyncedDuring(() => engine.appendRecords('t', 0, recs(3, 'a')))).toEqual([]);
    expect(writer.recoveryPoint).toBe(0);
    // 6 unflushed messages now: Kafka flushes (UnifiedLog: unflushedMessages >= flushInterval).
    expect(logsFsyncedDuring(() => engine.appendRecords('t', 0, recs(3, 'b')))).toEqual(['00000000000000000000.log']);
    expect(writer.recoveryPoint).toBe(6);
    // One batch larger than N is flushed on its own.
    expect(logsFsyncedDuring(() => engine.appendRecords('t', 0, recs(7, 'c')))).toEqual(['00000000000000000000.log']);
    expect(writer.recoveryPoint).toBe(13);
  });
});

describe('flush.ms', () => {
  it('flushes when the interval has passed, by the injected clock, through flushIfDue', () => {
    const clock = new FakeClock();
    const engine = engines.fresh({ now: clock.now });
    engine.createTopic('t', { config: { 'flush.ms': 1000 } });
    const writer = engine.partitionWriter('t', 0);
    expect(logsFsyncedDuring(() => engine.appendRecords('t', 0, recs(4, 'a')))).toEqual([]);
    expect(writer.recoveryPoint).toBe(0);
    clock.advance(999);
    expect(logsFsyncedDuring(() => writer.flushIfDue(clock.time))).toEqual([]);
    expect(writer.recoveryPoint).toBe(0);
    clock.advance(1);
    expect(logsFsyncedDuring(() => writer.flushIfDue(clock.time))).toEqual(['00000000000000000000.log']);
    expect(writer.recoveryPoint).toBe(4);
    // The interval counts from the last flush.
    engine.appendRecords('t', 0, recs(2, 'b'));
    clock.advance(500);
    writer.flushIfDue(clock.time);
    expect(writer.recoveryPoint).toBe(4);
    clock.advance(500);
    writer.flushIfDue(clock.time);
    expect(writer.recoveryPoint).toBe(6);
  });

  it('is applied by the maintenance timer', async () => {
    const clock = new FakeClock();
    const engine = engines.fresh({ now: clock.now, maintenanceIntervalMs: 10 });
    engine.createTopic('t', { config: { 'flush.ms': 60_000 } });
    engine.createTopic('lazy');
    engine.appendRecords('t', 0, recs(3, 'a'));
    engine.appendRecords('lazy', 0, recs(3, 'a'));
    await new Promise((r) => setTimeout(r, 50));
    expect(engine.partitionWriter('t', 0).recoveryPoint).toBe(0);
    clock.advance(60_000);
    const deadline = Date.now() + 2000;
    while (engine.partitionWriter('t', 0).recoveryPoint === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(engine.partitionWriter('t', 0).recoveryPoint).toBe(3);
    // A topic without flush.ms is left to the OS.
    expect(engine.partitionWriter('lazy', 0).recoveryPoint).toBe(0);
  });
});

describe('the default (no flush.messages, no flush.ms)', () => {
  it('leaves appends to the OS: the recovery point moves only on roll and close', () => {
    const clock = new FakeClock();
    const engine = engines.fresh({ now: clock.now });
    engine.createTopic('t', { config: { 'segment.bytes': 400 } });
    const writer = engine.partitionWriter('t', 0);
    const rolls: number[] = [];
    for (let i = 0; i < 12; i++) {
      const segmentsBefore = writer.reader().segments.length;
      const synced = logsFsyncedDuring(() => engine.appendRecords('t', 0, recs(2, `v${i}`, { size: 50 })));
      const rolled = writer.reader().segments.length > segmentsBefore;
      if (rolled) {
        rolls.push(writer.reader().segments.at(-1)!.baseOffset);
        // The sealed segment, and only it, reached the disk.
        expect(synced).toEqual([`${String(writer.reader().segments.at(-2)!.baseOffset).padStart(20, '0')}.log`]);
      } else {
        expect(synced).toEqual([]);
      }
      expect(writer.recoveryPoint).toBe(rolls.at(-1) ?? 0);
      clock.advance(10_000_000);
      writer.flushIfDue(clock.time);
    }
    expect(rolls.length).toBeGreaterThan(2);
    expect(writer.recoveryPoint).toBeLessThan(engine.endOffset('t', 0));
    // Checkpointed as of the last checkpoint write (topic creation), not moved by appends alone.
    expect(checkpointed(engine, 't')).toBe(0);
    engine.close();
    expect(checkpointed(engine, 't')).toBe(24);
  });

  it('engine.flush() fsyncs every partition and checkpoints the recovery points', () => {
    const engine = engines.fresh();
    engine.createTopic('t', { partitions: 2 });
    engine.appendRecords('t', 0, recs(3, 'a'));
    engine.appendRecords('t', 1, recs(4, 'b'));
    const synced = logsFsyncedDuring(() => engine.flush());
    expect(synced.sort()).toEqual(['00000000000000000000.log', '00000000000000000000.log']);
    expect([0, 1].map((p) => engine.partitionWriter('t', p).recoveryPoint)).toEqual([3, 4]);
    const file = path.join(engine.dir, 'recovery-point-offset-checkpoint');
    expect(parseOffsetCheckpoint(readFileSync(file, 'utf8'), file).map((e) => e.offset)).toEqual([3, 4]);
  });
});
