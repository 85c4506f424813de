import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

/** Bytes read per refill when scanning whole batches: large enough that syscalls stay cheap. */
export const SCAN_WINDOW = 1 << 20;
/** Bytes read per refill when only batch headers are wanted, so large batches are skipped, not read. */
export const HEADER_WINDOW = 64 << 10;

/**
 * Read access to one `.log` (or other record-batch) file through a window of recently read bytes.
 * Reads are synchronous: a scan is a tight loop over buffers, and the host runs long scans off its
 * main thread. Buffers handed out stay valid after later reads: a refill allocates a new window.
 */
export class SegmentFile {
  private fd: number | undefined;
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;
  private fileSize: number;
  /** Where the previous read ended: a read starting there is sequential and gets the full window. */
  private lastEnd = -1;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    this.fileSize = fstatSync(this.fd).size;
  }

  get size(): number {
    return this.fileSize;
  }

  /** Picks up growth when another writer appended to the file since it was opened. */
  refreshSize(): number {
    const size = fstatSync(this.descriptor()).size;
    // Bytes cut off the end (recovery) must not be served from the window any more.
    if (size < this.fileSize) this.window = Buffer.alloc(0);
    this.fileSize = size;
    return this.fileSize;
  }

  /** True when the path now names another file (compaction swapped it in) or none at all. */
  isReplaced(): boolean {
    try {
      return statSync(this.path).ino !== fstatSync(this.descriptor()).ino;
    } catch {
      return true;
    }
  }

  /** Up to `length` bytes at `position` (fewer only at the end of the file). */
  read(position: number, length: number, windowSize = SCAN_WINDOW): Buffer {
    const end = Math.min(position + length, this.fileSize);
    const sequential = position === this.lastEnd;
    this.lastEnd = end;
    if (position >= this.windowStart && end <= this.windowStart + this.window.length) {
      return this.window.subarray(position - this.windowStart, end - this.windowStart);
    }
    // Read ahead only for sequential access: a random lookup would throw most of a window away.
    const window = sequential ? windowSize : Math.min(windowSize, HEADER_WINDOW);
    const want = Math.min(Math.max(length, window), this.fileSize - position);
    const buf = Buffer.allocUnsafe(Math.max(want, 0));
    let filled = 0;
    while (filled < buf.length) {
      const n = readSync(this.descriptor(), buf, filled, buf.length - filled, position + filled);
      if (n === 0) break;
      filled += n;
    }
    this.window = buf.subarray(0, filled);
    this.windowStart = position;
    return this.window.subarray(0, Math.min(length, filled));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private descriptor(): number {
    if (this.fd === undefined) throw new Error(`${this.path} is closed`);
    return this.fd;
  }
}
