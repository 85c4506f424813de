import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WriterLock } from './writer-lock';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited: what SIGKILL leaves behind. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout as unknown as number;
}

describe('taking over after a writer was killed mid-takeover', () => {
  it('a takeover mutex and a temp file left by dead processes do not block the next writer', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tapedeck-lock-'));
    dirs.push(dir);
    const lockDir = path.join(dir, '.tapedeck');
    mkdirSync(lockDir);
    const holder = (pid: number) => JSON.stringify({ pid: Number(pid), host: os.hostname(), since: new Date().toISOString() });
    writeFileSync(path.join(lockDir, 'writer.lock'), holder(deadPid()));
    writeFileSync(path.join(lockDir, 'writer.lock.takeover'), holder(deadPid()));
    const leftover = `writer.lock.${Number(deadPid())}.abc123`;
    writeFileSync(path.join(lockDir, leftover), holder(1));
    const started = Date.now();
    const lock = WriterLock.acquire(dir);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(readdirSync(lockDir).sort()).toEqual(['writer.lock']);
    lock.release();
    expect(readdirSync(lockDir)).toEqual([]);
  });
});
