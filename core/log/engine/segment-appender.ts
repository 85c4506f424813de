import { closeSync, fsyncSync, ftruncateSync, fstatSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { BatchHeader } from '../segment/batch-header';
import { segmentFileName } from '../segment/log-segment';
import { OFFSET_INDEX_ENTRY_SIZE } from '../segment/offset-index';
import { TIME_INDEX_ENTRY_SIZE } from '../segment/time-index';

/** What a resumed active segment must know about what it already holds. */
export interface AppenderState {
  readonly size: number;
  readonly lastOffset: number;
  /** Entries already in the index files. */
  readonly offsetIndexEntries: number;
  readonly lastOffsetIndexRelative: number;
  readonly timeIndexEntries: number;
  readonly lastTimeIndexTimestamp: number;
  readonly maxTimestamp: number;
  readonly offsetOfMaxTimestamp: number;
  readonly firstBatchMaxTimestamp: number;
  readonly bytesSinceLastIndexEntry: number;
}

export interface RollLimits {
  readonly segmentBytes: number;
  readonly segmentMs: number;
  readonly segmentIndexBytes: number;
}

/**
 * The active segment of a partition, open for appending. Index entries follow Kafka's
 * LogSegment.append: when more than `index.interval.bytes` went into the log since the last entry,
 * the next batch gets an offset entry (its last offset, its position) and a time entry (the max
 * timestamp so far, the offset it came with), the latter only if that timestamp is new. Index
 * files grow as entries are added rather than being preallocated; sealing adds Kafka's final time
 * entry, so a sealed segment's files equal those a broker leaves after trimming.
 */
export class SegmentAppender {
  private readonly logFd: number;
  private readonly indexFd: number;
  private readonly timeIndexFd: number;
  private state: {
    size: number;
    lastOffset: number;
    offsetIndexEntries: number;
    lastOffsetIndexRelative: number;
    timeIndexEntries: number;
    lastTimeIndexTimestamp: number;
    maxTimestamp: number;
    offsetOfMaxTimestamp: number;
    firstBatchMaxTimestamp: number;
  };
  private bytesSinceLastIndexEntry = 0;
  private unflushedMessages = 0;
  private closed = false;

  constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private readonly indexIntervalBytes: number,
    private readonly createdAt: number,
    resume?: AppenderState,
  ) {
    this.logFd = openSync(path.join(dir, segmentFileName(baseOffset, '.log')), 'a+');
    this.indexFd = openSync(path.join(dir, segmentFileName(baseOffset, '.index')), 'a+');
    this.timeIndexFd = openSync(path.join(dir, segmentFileName(baseOffset, '.timeindex')), 'a+');
    this.bytesSinceLastIndexEntry = resume?.bytesSinceLastIndexEntry ?? 0;
    this.state = resume
      ? { ...resume }
      : {
          size: fstatSync(this.logFd).size,
          lastOffset: baseOffset - 1,
          offsetIndexEntries: 0,
          lastOffsetIndexRelative: -1,
          timeIndexEntries: 0,
          lastTimeIndexTimestamp: -1,
          maxTimestamp: -1,
          offsetOfMaxTimestamp: baseOffset - 1,
          firstBatchMaxTimestamp: -1,
        };
  }

  get size(): number {
    return this.state.size;
  }

  get lastOffset(): number {
    return this.state.lastOffset;
  }

  get isEmpty(): boolean {
    return this.state.size === 0;
  }

  get largestTimestamp(): number {
    return this.state.maxTimestamp;
  }

  /** Kafka's roll rule (LogSegment.shouldRoll), checked before an append. */
  shouldRoll(incoming: Pick<BatchHeader, 'sizeInBytes' | 'maxTimestamp' | 'lastOffset'>, limits: RollLimits, now: number): string | undefined {
    const { size } = this.state;
    if (size > limits.segmentBytes - incoming.sizeInBytes) return `segment.bytes (${limits.segmentBytes}) reached`;
    if (size > 0) {
      const age = this.state.firstBatchMaxTimestamp >= 0 && incoming.maxTimestamp >= 0 ? incoming.maxTimestamp - this.state.firstBatchMaxTimestamp : now - this.createdAt;
      if (age > limits.segmentMs) return `segment.ms (${limits.segmentMs}) reached`;
    }
    if ((this.state.offsetIndexEntries + 1) * OFFSET_INDEX_ENTRY_SIZE > limits.segmentIndexBytes) return 'offset index full';
    if ((this.state.timeIndexEntries + 1) * TIME_INDEX_ENTRY_SIZE > limits.segmentIndexBytes) return 'time index full';
    if (incoming.lastOffset - this.baseOffset > 0x7fffffff) return 'offsets no longer fit the segment (relative offset > 2^31-1)';
    return undefined;
  }

  /**
   * Appends one batch whose offsets are already assigned. If the disk refuses part of it (ENOSPC,
   * EIO), the files are cut back to where they were, so what was stored stays intact.
   */
  append(batch: Buffer, header: Pick<BatchHeader, 'lastOffset' | 'maxTimestamp'>): void {
    // Closed descriptors may have been reused for other files: never write through them.
    if (this.closed) throw new Error(`segment ${segmentFileName(this.baseOffset, '.log')} in ${this.dir} is closed`);
    const before = { ...this.state };
    const bytesSinceLastIndexEntry = this.bytesSinceLastIndexEntry;
    const position = this.state.size;
    try {
      if (header.maxTimestamp > this.state.maxTimestamp) {
        this.state.maxTimestamp = header.maxTimestamp;
        this.state.offsetOfMaxTimestamp = header.lastOffset;
      }
      if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
        this.appendOffsetIndexEntry(header.lastOffset, position);
        this.appendTimeIndexEntry();
        this.bytesSinceLastIndexEntry = 0;
      }
      writeFully(this.logFd, batch, position);
      if (position === 0) this.state.firstBatchMaxTimestamp = header.maxTimestamp;
      this.state.size = position + batch.length;
      this.state.lastOffset = header.lastOffset;
      this.bytesSinceLastIndexEntry += batch.length;
      this.unflushedMessages++;
    } catch (error) {
      this.rollBack(before);
      // The index interval rule must carry on as if the refused batch had never come.
      this.bytesSinceLastIndexEntry = bytesSinceLastIndexEntry;
      throw error;
    }
  }

  get unflushed(): number {
    return this.unflushedMessages;
  }

  /** fsyncs the log (the indexes are rebuilt by recovery after a crash, as Kafka does). */
  flush(): void {
    if (this.unflushedMessages === 0) return;
    fsyncSync(this.logFd);
    this.unflushedMessages = 0;
  }

  /** Finishes the segment: Kafka's close-time time-index entry, everything fsynced, files closed. */
  seal(): void {
    if (this.closed) return;
    this.appendTimeIndexEntry();
    fsyncSync(this.logFd);
    fsyncSync(this.indexFd);
    fsyncSync(this.timeIndexFd);
    this.close();
  }

  /** Closes the files without sealing (used when abandoning after an error). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.logFd);
    closeSync(this.indexFd);
    closeSync(this.timeIndexFd);
  }

  private appendOffsetIndexEntry(offset: number, position: number): void {
    const relative = offset - this.baseOffset;
    if (relative <= this.state.lastOffsetIndexRelative) return;
    const entry = Buffer.allocUnsafe(OFFSET_INDEX_ENTRY_SIZE);
    entry.writeInt32BE(relative, 0);
    entry.writeInt32BE(position, 4);
    writeFully(this.indexFd, entry, this.state.offsetIndexEntries * OFFSET_INDEX_ENTRY_SIZE);
    this.state.offsetIndexEntries++;
    this.state.lastOffsetIndexRelative = relative;
  }

  private appendTimeIndexEntry(): void {
    if (this.state.maxTimestamp <= this.state.lastTimeIndexTimestamp) return;
    const entry = Buffer.allocUnsafe(TIME_INDEX_ENTRY_SIZE);
    entry.writeBigInt64BE(BigInt(this.state.maxTimestamp), 0);
    entry.writeInt32BE(this.state.offsetOfMaxTimestamp - this.baseOffset, 8);
    writeFully(this.timeIndexFd, entry, this.state.timeIndexEntries * TIME_INDEX_ENTRY_SIZE);
    this.state.timeIndexEntries++;
    this.state.lastTimeIndexTimestamp = this.state.maxTimestamp;
  }

  private rollBack(before: typeof this.state): void {
    this.state = before;
    try {
      ftruncateSync(this.logFd, before.size);
      ftruncateSync(this.indexFd, before.offsetIndexEntries * OFFSET_INDEX_ENTRY_SIZE);
      ftruncateSync(this.timeIndexFd, before.timeIndexEntries * TIME_INDEX_ENTRY_SIZE);
    } catch {
      // Truncating never needs space; if even this fails, recovery cuts the torn tail on next open.
    }
  }
}

/** Writes all of `bytes` at `position`; a short write is retried, an error propagates. */
function writeFully(fd: number, bytes: Buffer, position: number): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, position + written);
}
