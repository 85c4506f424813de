import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LogBatch } from '../batch/log-record';
import { LogFormatError, type LogWarning } from '../errors';
import type { BatchHeader } from './batch-header';
import { type ScanOptions, scanBatchHeaders, scanBatches } from './batch-scanner';
import { IndexBuilder } from './index-builder';
import { OffsetIndex } from './offset-index';
import { SegmentFile } from './segment-file';
import { TimeIndex } from './time-index';

/** How many offset-index entries are checked against the log when a segment's index is loaded. */
const INDEX_SPOT_CHECKS = 64;

/** Segment files are named by their base offset, zero-padded to 20 digits. */
export function segmentFileName(baseOffset: number, suffix: '.log' | '.index' | '.timeindex' | '.txnindex' | '.snapshot'): string {
  return `${String(baseOffset).padStart(20, '0')}${suffix}`;
}

export interface SegmentIndexes {
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  /** Whether the indexes came from the segment's files or were rebuilt from the log. */
  readonly source: 'files' | 'rebuilt';
}

interface Tail {
  readonly lastBatch: BatchHeader | undefined;
  readonly largestTimestamp: number;
}

/**
 * One segment of a partition: a `.log` file and, when present and trustworthy, its `.index` and
 * `.timeindex`. Indexes that are missing, malformed, or do not match the log are not trusted; the
 * segment rebuilds them in memory from the batch headers (and says so through onWarning).
 */
export class LogSegment {
  readonly logPath: string;
  private handle: SegmentFile | undefined;
  private loadedIndexes: SegmentIndexes | undefined;
  private cachedTail: Tail | undefined;
  private readonly options: ScanOptions;
  private readonly reported = new Set<string>();

  constructor(
    readonly dir: string,
    readonly baseOffset: number,
    options: ScanOptions = {},
    logFileName = segmentFileName(baseOffset, '.log'),
  ) {
    this.logPath = path.join(dir, logFileName);
    // Lookups, the tail and full scans may each cross the same torn tail: report it once.
    this.options = {
      ...options,
      onWarning: (warning) => {
        const key = `${warning.file}\0${warning.position}\0${warning.message}`;
        if (this.reported.has(key)) return;
        this.reported.add(key);
        options.onWarning?.(warning);
      },
    };
  }

  get file(): SegmentFile {
    this.handle ??= new SegmentFile(this.logPath);
    return this.handle;
  }

  get sizeInBytes(): number {
    return this.file.size;
  }

  batches(fromPosition = 0): Generator<LogBatch> {
    return scanBatches(this.file, fromPosition, this.options);
  }

  headers(fromPosition = 0): Generator<BatchHeader> {
    return scanBatchHeaders(this.file, fromPosition, this.options);
  }

  indexes(): SegmentIndexes {
    this.loadedIndexes ??= this.loadIndexes() ?? this.rebuildIndexes();
    return this.loadedIndexes;
  }

  /** The batch holding `offset`, or the first batch after it (compaction leaves gaps); undefined past the end. */
  findBatchHeader(offset: number): BatchHeader | undefined {
    let start = this.indexes().offsetIndex.floor(offset);
    // An index entry is only a hint until the log confirms it: a wrong one would send the scan
    // into the middle of a batch, or past the batch asked for.
    if (start.position > 0 && this.headerAt(start.position)?.lastOffset !== start.offset) {
      this.distrustIndexes(`offset index entry for offset ${start.offset} points at byte ${start.position}, where no batch ends at that offset`);
      start = this.indexes().offsetIndex.floor(offset);
    }
    for (const header of this.headers(start.position)) {
      if (header.lastOffset >= offset) return header;
    }
    return undefined;
  }

  /** The batch header starting exactly at `position`, or undefined when no valid batch starts there. */
  private headerAt(position: number): BatchHeader | undefined {
    try {
      // No warnings: a bad position is the index's fault, not the log's.
      return scanBatchHeaders(this.file, position, {}).next().value as BatchHeader | undefined;
    } catch (error) {
      if (error instanceof LogFormatError) return undefined;
      throw error;
    }
  }

  private distrustIndexes(problem: string): void {
    if (this.loadedIndexes?.source !== 'files') return;
    this.warn(this.logPath.replace(/\.log$/, '.index'), `${problem}; indexes rebuilt in memory from the log`);
    this.loadedIndexes = this.rebuildIndexes();
  }

  lastBatch(): BatchHeader | undefined {
    return this.tail().lastBatch;
  }

  /** The offset after this segment's last batch, or its base offset when it is empty. */
  nextOffset(): number {
    const last = this.lastBatch();
    return last ? last.lastOffset + 1 : this.baseOffset;
  }

  /** The largest record timestamp in the segment, -1 when none has one. */
  largestTimestamp(): number {
    return this.tail().largestTimestamp;
  }

  /** The first record (data or control) with timestamp >= target, as Kafka's ListOffsets finds it. */
  findByTimestamp(target: number): { offset: number; timestamp: number } | undefined {
    if (this.largestTimestamp() < target) return undefined;
    const startOffset = this.indexes().timeIndex.floorOffset(target);
    const first = this.findBatchHeader(startOffset);
    if (!first) return undefined;
    for (const batch of this.batches(first.position)) {
      if (batch.maxTimestamp < target) continue;
      for (const record of batch.records()) {
        if (record.timestamp >= target) return { offset: record.offset, timestamp: record.timestamp };
      }
    }
    return undefined;
  }

  /** Forgets cached facts about the end of the log, after another writer appended to it. */
  refresh(): void {
    if (this.handle?.isReplaced()) {
      this.close();
      this.loadedIndexes = undefined;
      this.cachedTail = undefined;
      return;
    }
    if (this.handle) {
      const before = this.handle.size;
      // A file that shrank was truncated or rewritten (recovery, compaction): forget everything.
      if (this.handle.refreshSize() < before) this.loadedIndexes = undefined;
      else if (this.handle.size === before) return;
    }
    this.cachedTail = undefined;
    if (this.loadedIndexes?.source === 'rebuilt') this.loadedIndexes = undefined;
  }

  close(): void {
    this.handle?.close();
    this.handle = undefined;
  }

  private tail(): Tail {
    if (!this.cachedTail) {
      const { offsetIndex, timeIndex } = this.indexes();
      const lastEntry = offsetIndex.entryCount ? offsetIndex.entry(offsetIndex.entryCount - 1) : { position: 0 };
      let lastBatch: BatchHeader | undefined;
      let largestTimestamp = timeIndex.lastTimestamp;
      for (const header of this.headers(lastEntry.position)) {
        lastBatch = header;
        if (header.maxTimestamp > largestTimestamp) largestTimestamp = header.maxTimestamp;
      }
      this.cachedTail = { lastBatch, largestTimestamp };
    }
    return this.cachedTail;
  }

  private warn(file: string, message: string): void {
    const warning: LogWarning = { file, position: -1, message };
    this.options.onWarning!(warning);
  }

  private loadIndexes(): SegmentIndexes | undefined {
    // An empty segment has nothing to index, whatever files lie beside it.
    if (this.file.size === 0) return undefined;
    const indexPath = this.logPath.replace(/\.log$/, '.index');
    const timeIndexPath = this.logPath.replace(/\.log$/, '.timeindex');
    if (!existsSync(indexPath) || !existsSync(timeIndexPath)) {
      const missing = existsSync(indexPath) ? timeIndexPath : indexPath;
      this.warn(missing, 'index file is missing; the indexes were rebuilt in memory from the log');
      return undefined;
    }
    const offsetIndex = OffsetIndex.parse(readFileSync(indexPath), this.baseOffset, this.file.size);
    if ('problem' in offsetIndex) {
      this.warn(indexPath, `offset index not trusted (${offsetIndex.problem}); rebuilt in memory from the log`);
      return undefined;
    }
    const timeIndex = TimeIndex.parse(readFileSync(timeIndexPath), this.baseOffset);
    if ('problem' in timeIndex) {
      this.warn(timeIndexPath, `time index not trusted (${timeIndex.problem}); rebuilt in memory from the log`);
      return undefined;
    }
    const mismatch = this.checkAgainstLog(offsetIndex, timeIndex);
    if (mismatch) {
      this.warn(mismatch.file, `${mismatch.problem}; indexes rebuilt in memory from the log`);
      return undefined;
    }
    return { offsetIndex, timeIndex, source: 'files' };
  }

  /** Kafka stores no checksum for indexes: check their last entries against the log itself. */
  /**
   * Kafka stores no checksum for indexes, so they are checked against the log itself: the last
   * entries (most likely wrong after a crash) and a spread of others, each of which must name a
   * batch that starts at its position and ends at its offset. Entries not checked here are
   * checked when a lookup uses them (findBatchHeader).
   */
  private checkAgainstLog(offsetIndex: OffsetIndex, timeIndex: TimeIndex): { file: string; problem: string } | undefined {
    const indexPath = this.logPath.replace(/\.log$/, '.index');
    const count = offsetIndex.entryCount;
    const step = Math.max(1, Math.floor(count / INDEX_SPOT_CHECKS));
    const checked = new Set<number>();
    for (let i = 0; i < count; i += step) checked.add(i);
    if (count > 0) checked.add(count - 1);
    for (const i of checked) {
      const entry = offsetIndex.entry(i);
      const batch = this.headerAt(entry.position);
      if (!batch || batch.lastOffset !== entry.offset) {
        return { file: indexPath, problem: `offset index entry ${i} says a batch ending at offset ${entry.offset} starts at byte ${entry.position}, but the log has ${batch ? `one ending at ${batch.lastOffset}` : 'no batch starting'} there` };
      }
    }
    if (timeIndex.entryCount > 0) {
      const last = timeIndex.entry(timeIndex.entryCount - 1);
      let found: BatchHeader | undefined;
      try {
        for (const header of scanBatchHeaders(this.file, offsetIndex.floor(last.offset).position, {})) {
          if (header.lastOffset >= last.offset) {
            found = header;
            break;
          }
        }
      } catch (error) {
        if (!(error instanceof LogFormatError)) throw error;
      }
      if (!found || found.lastOffset !== last.offset || found.maxTimestamp !== last.timestamp) {
        return {
          file: this.logPath.replace(/\.log$/, '.timeindex'),
          problem: `time index says offset ${last.offset} has max timestamp ${last.timestamp}, but the log disagrees`,
        };
      }
    }
    return undefined;
  }

  private rebuildIndexes(): SegmentIndexes {
    const builder = new IndexBuilder(this.baseOffset);
    for (const header of this.headers(0)) builder.add(header);
    const { offsetIndex, timeIndex } = builder.seal();
    return { offsetIndex, timeIndex, source: 'rebuilt' };
  }
}
