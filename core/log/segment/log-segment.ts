import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LogBatch } from '../batch/log-record';
import type { LogWarning } from '../errors';
import type { BatchHeader } from './batch-header';
import { type ScanOptions, scanBatchHeaders, scanBatches } from './batch-scanner';
import { IndexBuilder } from './index-builder';
import { OffsetIndex } from './offset-index';
import { SegmentFile } from './segment-file';
import { TimeIndex } from './time-index';

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
    const start = this.indexes().offsetIndex.floor(offset);
    for (const header of this.headers(start.position)) {
      if (header.lastOffset >= offset) return header;
    }
    return undefined;
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
        if (record.timestamp >= target && record.offset >= startOffset) return { offset: record.offset, timestamp: record.timestamp };
      }
    }
    return undefined;
  }

  /** Forgets cached facts about the end of the log, after another writer appended to it. */
  refresh(): void {
    this.handle?.refreshSize();
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
  private checkAgainstLog(offsetIndex: OffsetIndex, timeIndex: TimeIndex): { file: string; problem: string } | undefined {
    const indexPath = this.logPath.replace(/\.log$/, '.index');
    if (offsetIndex.entryCount > 0) {
      const last = offsetIndex.entry(offsetIndex.entryCount - 1);
      const batch = this.headers(last.position).next().value as BatchHeader | undefined;
      if (!batch || batch.lastOffset !== last.offset) {
        return { file: indexPath, problem: `offset index says the batch at byte ${last.position} ends at offset ${last.offset}, but the log has ${batch ? batch.lastOffset : 'no batch'} there` };
      }
    }
    if (timeIndex.entryCount > 0) {
      const last = timeIndex.entry(timeIndex.entryCount - 1);
      const start = offsetIndex.floor(last.offset);
      let found: BatchHeader | undefined;
      for (const header of this.headers(start.position)) {
        if (header.lastOffset >= last.offset) {
          found = header;
          break;
        }
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
