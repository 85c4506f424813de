import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { crash, InteractiveChild, lockFile, recs, runTs, useEngines, valuesOf, readAll } from './engine.test-support';
import { LogEngine } from './log-engine';
import { DirectoryLockedError } from './writer-lock';

const engines = useEngines();
const CHILD = path.join(import.meta.dirname, 'engine-child.test-support.ts');
const RACER = path.join(import.meta.dirname, 'writer-lock-racer.test-support.ts');

const children: InteractiveChild[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill('SIGKILL');
    await child.exited;
  }
});

function start(mode: 'hold' | 'read', dir: string, topic = 't'): InteractiveChild {
  const child = new InteractiveChild(CHILD, [mode, dir, topic]);
  children.push(child);
  return child;
}

interface OpenResult {
  ok: boolean;
  name?: string;
  message?: string;
  holderPid?: number;
  end?: number;
  recovery?: { partition: string; truncated: unknown[] }[];
}

describe('one writer per directory', () => {
  it('a second LogEngine.open in another process fails with DirectoryLockedError naming the holder pid', async () => {
    const engine = engines.fresh();
    engine.createTopic('t');
    const holder = JSON.parse(readFileSync(lockFile(engine.dir), 'utf8')) as { pid: number; host: string; since: string };
    expect(holder).toMatchObject({ pid: process.pid, host: os.hostname() });
    const result = await runTs(CHILD, ['open', engine.dir]);
    const out = JSON.parse(result.stdout.trim()) as OpenResult;
    expect(out).toMatchObject({ ok: false, name: 'DirectoryLockedError', holderPid: process.pid });
    expect(out.message).toContain(`pid ${process.pid}`);
    expect(out.message).toContain(engine.dir);
    // The refused open left the writer's lock and files alone.
    expect(JSON.parse(readFileSync(lockFile(engine.dir), 'utf8'))).toEqual(holder);
    expect(engine.appendRecords('t', 0, recs(1, 'still mine')).baseOffset).toBe(0);
    // Once closed, the other process may open it.
    engine.close();
    expect(existsSync(lockFile(engine.dir))).toBe(false);
    const after = JSON.parse((await runTs(CHILD, ['open', engine.dir])).stdout.trim()) as OpenResult;
    expect(after).toMatchObject({ ok: true, end: 1 });
  });

  it('is refused in this process too, while another process holds it', async () => {
    const dir = path.join(engines.dir(), 'logs');
    LogEngine.open(dir, { create: true, maintenanceIntervalMs: 0 }).close();
    const child = start('hold', dir);
    const ready = await child.next<{ ready: boolean; pid: number }>();
    expect(ready.ready).toBe(true);
    let caught: unknown;
    try {
      LogEngine.open(dir, { maintenanceIntervalMs: 0 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DirectoryLockedError);
    expect((caught as DirectoryLockedError).holder.pid).toBe(child.pid);
    expect((caught as Error).message).toContain(`pid ${child.pid}`);
    child.send('close');
    expect(await child.next<{ closed: boolean }>()).toEqual({ closed: true });
    await child.exited;
    const engine = engines.open(dir);
    expect(valuesOf(readAll(engine, 't'))).toEqual([0, 1, 2, 3, 4].map((i) => `from ${child.pid} #${i}`));
  });

  it('refuses in-process too: the same directory cannot be opened twice', () => {
    const engine = engines.fresh();
    expect(() => LogEngine.open(engine.dir, { maintenanceIntervalMs: 0 })).toThrow(DirectoryLockedError);
    engine.close();
    engines.open(engine.dir);
  });
});

describe('readers', () => {
  it('read in another process while the writer holds the lock, and see appends after refresh()', async () => {
    const engine = engines.fresh();
    engine.createTopic('t', { config: { 'segment.bytes': 300 } });
    engine.appendRecords('t', 0, recs(2, 'first'));
    const reader = start('read', engine.dir);
    const initial = await reader.next<{ values: string[]; nextOffset: number; warnings: string[] }>();
    expect(initial).toEqual({ values: ['0:first0', '1:first1'], nextOffset: 2, warnings: [] });
    // Appends, including rolls to new segments.
    for (let i = 0; i < 8; i++) engine.appendRecords('t', 0, recs(2, `more${i}-`, { size: 40 }));
    reader.send('refresh');
    const refreshed = await reader.next<{ values: string[]; nextOffset: number; warnings: string[] }>();
    expect(refreshed.nextOffset).toBe(18);
    expect(refreshed.values).toEqual(readAll(engine, 't').map((r) => `${r.record.offset}:${r.record.value!.toString()}`));
    expect(refreshed.warnings).toEqual([]);
    reader.send('exit');
    await reader.exited;
  });
});

describe('stale locks', () => {
  it('a lock left by a writer killed with SIGKILL is taken over by the next open, which recovers', async () => {
    const dir = path.join(engines.dir(), 'logs');
    LogEngine.open(dir, { create: true, maintenanceIntervalMs: 0 }).close();
    const child = start('hold', dir);
    const ready = await child.next<{ ready: boolean; pid: number; lastOffset: number }>();
    expect(ready).toMatchObject({ ready: true, lastOffset: 4 });
    expect(JSON.parse(readFileSync(lockFile(dir), 'utf8')).pid).toBe(child.pid);
    child.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    // The lock file is still there, naming a dead process.
    expect(JSON.parse(readFileSync(lockFile(dir), 'utf8')).pid).toBe(child.pid);
    const engine = engines.open(dir);
    expect(JSON.parse(readFileSync(lockFile(dir), 'utf8')).pid).toBe(process.pid);
    // Everything the killed writer acknowledged is there (it was in the page cache), and appends continue.
    expect(valuesOf(readAll(engine, 't'))).toEqual([0, 1, 2, 3, 4].map((i) => `from ${child.pid} #${i}`));
    expect(engine.appendRecords('t', 0, recs(1, 'next')).baseOffset).toBe(5);
  });

  it('a stale lock is taken over by exactly one of several processes racing for it', async () => {
    const dir = path.join(engines.dir(), 'logs');
    LogEngine.open(dir, { create: true, maintenanceIntervalMs: 0 }).close();
    const rounds: string[][] = [];
    for (let round = 0; round < 3; round++) {
      writeFileSync(lockFile(dir), JSON.stringify({ pid: 2 ** 22 + 777, host: os.hostname(), since: '2020-01-01T00:00:00.000Z' }));
      const racers = Array.from({ length: 6 }, () => new InteractiveChild(RACER, [dir]));
      children.push(...racers);
      for (const racer of racers) await racer.next();
      const startAt = String(Date.now() + 100);
      for (const racer of racers) racer.send(startAt);
      const outcomes = await Promise.all(racers.map((r) => r.next<{ won: boolean; error?: string }>()));
      rounds.push(outcomes.map((o) => (o.won ? 'won' : o.error === 'DirectoryLockedError' ? 'locked out' : o.error!)).sort());
      await Promise.all(racers.map((r) => r.exited));
    }
    // Two winners would be two writers appending to the same files. (The race needs the racers to
    // overlap; on a busy machine a round may not, so a pass is weaker evidence than a failure.)
    expect(rounds).toEqual(Array(3).fill(['locked out', 'locked out', 'locked out', 'locked out', 'locked out', 'won']));
  });

  it('a lock file written halfway (unparseable) is stale', () => {
    const engine = engines.fresh();
    crash(engine);
    writeFileSync(lockFile(engine.dir), '{"pid":');
    engines.open(engine.dir);
  });

  it('a lock held on another host is not taken over, whatever its pid', () => {
    const engine = engines.fresh();
    crash(engine);
    writeFileSync(lockFile(engine.dir), JSON.stringify({ pid: 999_999_999, host: `not-${os.hostname()}`, since: '2020-01-01T00:00:00.000Z' }));
    expect(() => LogEngine.open(engine.dir, { maintenanceIntervalMs: 0 })).toThrow(/pid 999999999 on not-/);
  });

  it('a lock naming a dead pid on this host is taken over', () => {
    const engine = engines.fresh();
    crash(engine);
    writeFileSync(lockFile(engine.dir), JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), since: '2020-01-01T00:00:00.000Z' }));
    const again = engines.open(engine.dir);
    expect(JSON.parse(readFileSync(lockFile(again.dir), 'utf8')).pid).toBe(process.pid);
  });
});
