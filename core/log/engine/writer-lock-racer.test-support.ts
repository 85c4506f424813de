/**
 * One racer of the stale-lock takeover test in writer-lock.test.ts, kept apart from the engine so
 * it starts fast:
 *
 *   node --import tsx writer-lock-racer.test-support.ts <logdir>
 *
 * Prints `{"ready":true}`, reads a wall-clock time (milliseconds since the epoch) from stdin and
 * spins until then, so that several racers call WriterLock.acquire within microseconds of each
 * other; prints `{"won":true}` or `{"won":false,"error":"..."}`, holds a won lock for 300 ms,
 * releases it and exits.
 */
import { createInterface } from 'node:readline';
import { DirectoryLockedError, WriterLock } from './writer-lock';

const [dir] = process.argv.slice(2);
if (!dir) throw new Error('usage: writer-lock-racer.test-support.ts <logdir>');
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

print({ ready: true });
createInterface({ input: process.stdin }).once('line', (line) => {
  const startAt = Number(line);
  while (Date.now() < startAt) {
    // Spin, so that the racers leave the line together.
  }
  try {
    const lock = WriterLock.acquire(dir);
    print({ won: true });
    setTimeout(() => {
      lock.release();
      process.exit(0);
    }, 300);
  } catch (error) {
    print({ won: false, error: error instanceof DirectoryLockedError ? 'DirectoryLockedError' : `${(error as Error).name}: ${(error as Error).message}` });
    process.exit(0);
  }
});
