import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
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

/**
 * One writer per log directory. Node offers no flock, so the lock is a file created exclusively
 * (`.tapedeck/writer.lock`) that names its holder. A lock whose holder is dead (on this host) is
 * stale, which is what a writer killed with SIGKILL leaves, and is taken over. Readers never lock.
 * (Kafka's own `.lock` is left alone: directories copied off a broker carry a stale one.)
 */
export class WriterLock {
  private constructor(readonly file: string) {}

  static acquire(logDir: string): WriterLock {
    const dir = path.join(logDir, '.tapedeck');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'writer.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        const holder: LockHolder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
        writeSync(fd, JSON.stringify(holder));
        closeSync(fd);
        return new WriterLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = readHolder(file);
        if (holder && (holder.host !== os.hostname() || isAlive(holder.pid))) throw new DirectoryLockedError(logDir, holder);
        // Stale: its writer died. Remove it and race for it once more; a loser sees a live holder.
        try {
          unlinkSync(file);
        } catch {
          // Another process removed it first.
        }
      }
    }
    const holder = readHolder(file);
    throw holder ? new DirectoryLockedError(logDir, holder) : new Error(`${file}: could not take the writer lock`);
  }

  release(): void {
    try {
      const holder = readHolder(this.file);
      if (holder?.pid === process.pid) unlinkSync(this.file);
    } catch {
      // Already gone.
    }
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return typeof parsed.pid === 'number' ? parsed : undefined;
  } catch {
    // Written halfway by a process that died: treat as stale.
    return undefined;
  }
}
