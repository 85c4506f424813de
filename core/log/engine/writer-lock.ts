import { closeSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class DirectoryLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {
    super(`${dir} is being written by another process (pid ${holder.pid} on ${holder.host}, since ${holder.since}); open it read-only, or stop that process first`);
    this.name = 'DirectoryLockedError';
  }
}

interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A takeover mutex older than this was left by a process that died in the middle of one. */
const TAKEOVER_STALE_MS = 10_000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Creates `file` holding `content`, atomically and only if it does not exist: the content is
 * written to a private file first and then hard-linked into place, so no process can ever see
 * the lock empty or half-written.
 */
function createExclusive(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, content);
  try {
    linkSync(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * One writer per log directory. Node offers no flock, so the lock is a file created exclusively
 * (`.tapedeck/writer.lock`) that names its holder. A lock whose holder is dead (on this host) is
 * stale, which is what a writer killed with SIGKILL leaves, and is taken over. Several processes
 * may find the same stale lock: the takeover happens under a short-lived second lock and
 * re-checks what it replaces, so exactly one of them wins. Readers never lock. (Kafka's own
 * `.lock` is left alone: directories copied off a broker carry a stale one.)
 */
export class WriterLock {
  private constructor(readonly file: string) {}

  static acquire(logDir: string): WriterLock {
    const dir = path.join(logDir, '.tapedeck');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'writer.lock');
    const content = JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() } satisfies LockHolder);
    for (let attempt = 0; attempt < 200; attempt++) {
      if (createExclusive(file, content)) return new WriterLock(file);
      const observed = readRaw(file);
      if (observed === undefined) continue; // released between the two steps: try again
      const holder = parseHolder(observed);
      if (holder && (holder.host !== os.hostname() || isAlive(holder.pid))) throw new DirectoryLockedError(logDir, holder);
      if (takeOver(file, observed, content)) return new WriterLock(file);
      sleep(10 + Math.random() * 20);
    }
    const holder = parseHolder(readRaw(file) ?? '');
    throw holder ? new DirectoryLockedError(logDir, holder) : new Error(`${file}: could not take the writer lock`);
  }

  release(): void {
    try {
      const holder = parseHolder(readRaw(this.file) ?? '');
      if (holder?.pid === process.pid) unlinkSync(this.file);
    } catch {
      // Already gone.
    }
  }
}

/** Replaces the stale lock whose content was `observed` with ours; false when another process got there first. */
function takeOver(file: string, observed: string, content: string): boolean {
  const mutex = `${file}.takeover`;
  try {
    closeSync(openSync(mutex, 'wx'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    try {
      if (Date.now() - statSync(mutex).mtimeMs > TAKEOVER_STALE_MS) unlinkSync(mutex);
    } catch {
      // Removed by its owner meanwhile.
    }
    return false;
  }
  try {
    if (readRaw(file) !== observed) return false;
    unlinkSync(file);
    return createExclusive(file, content);
  } finally {
    unlinkSync(mutex);
  }
}

function readRaw(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parseHolder(content: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(content) as LockHolder;
    return typeof parsed.pid === 'number' ? parsed : undefined;
  } catch {
    // Not a lock tapedeck wrote (or damaged): treat as stale.
    return undefined;
  }
}
