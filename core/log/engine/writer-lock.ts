import { linkSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
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

/** A takeover mutex from another host cannot be checked for a live owner: it is stale after this. */
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
    removeDeadTempFiles(dir);
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

/**
 * Replaces the stale lock whose content was `observed` with ours; false when another process got
 * there first. The takeover itself is guarded by a second file that names its owner, so a process
 * killed in the middle of a takeover leaves a mutex the next one can see is stale at once.
 */
function takeOver(file: string, observed: string, content: string): boolean {
  const mutex = `${file}.takeover`;
  if (!createExclusive(mutex, content)) {
    removeStaleMutex(mutex);
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

function removeStaleMutex(mutex: string): void {
  const raw = readRaw(mutex);
  if (raw === undefined) return;
  const owner = parseHolder(raw);
  let stale: boolean;
  if (owner && owner.host === os.hostname()) stale = !isAlive(owner.pid);
  else {
    try {
      stale = Date.now() - statSync(mutex).mtimeMs > TAKEOVER_STALE_MS;
    } catch {
      return;
    }
  }
  // Remove it only if it is still the one judged stale (its owner may have finished and another begun).
  if (stale && readRaw(mutex) === raw) {
    try {
      unlinkSync(mutex);
    } catch {
      // Someone else removed it.
    }
  }
}

/** `writer.lock.<pid>.<random>` files of processes killed between writing and linking them. */
function removeDeadTempFiles(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = /^writer\.lock\.(\d+)\.[a-z0-9]+$/.exec(name)?.[1];
    if (pid && Number(pid) !== process.pid && !isAlive(Number(pid))) {
      try {
        unlinkSync(path.join(dir, name));
      } catch {
        // Already gone.
      }
    }
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
