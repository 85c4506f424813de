import type { BatchHeader } from './batch-header';
import { OffsetIndex } from './offset-index';
import { TimeIndex } from './time-index';

/** Kafka's default `index.interval.bytes`: an index entry at most every 4 KiB of log. */
export const DEFAULT_INDEX_INTERVAL_BYTES = 4096;

/**
 * Builds a segment's offset and time indexes from its batch headers with the rule Kafka's
 * LogSegment uses on append and recovery, so a rebuilt index equals the one a broker would write:
 * before a batch, if more than `intervalBytes` were written since the last entry, index
 * (batch lastOffset, batch position) and (max timestamp so far, offset of that max); when the
 * segment is sealed, add a final time entry for the max timestamp if it is new.
 */
export class IndexBuilder {
  private readonly rel: number[] = [];
  private readonly pos: number[] = [];
  private readonly ts: number[] = [];
  private readonly tsRel: number[] = [];
  private bytesSinceLastEntry = 0;
  private maxTimestamp = -1;
  private offsetOfMaxTimestamp = -1;

  constructor(
    readonly baseOffset: number,
    private readonly intervalBytes = DEFAULT_INDEX_INTERVAL_BYTES,
  ) {}

  add(batch: Pick<BatchHeader, 'position' | 'sizeInBytes' | 'lastOffset' | 'maxTimestamp'>): void {
    if (batch.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = batch.maxTimestamp;
      this.offsetOfMaxTimestamp = batch.lastOffset;
    }
    if (this.bytesSinceLastEntry > this.intervalBytes) {
      this.rel.push(batch.lastOffset - this.baseOffset);
      this.pos.push(batch.position);
      this.appendTimeEntry();
      this.bytesSinceLastEntry = 0;
    }
    this.bytesSinceLastEntry += batch.sizeInBytes;
  }

  /** The indexes of a segment still being appended to. */
  build(): { offsetIndex: OffsetIndex; timeIndex: TimeIndex } {
    return {
      offsetIndex: new OffsetIndex(this.baseOffset, Int32Array.from(this.rel), Int32Array.from(this.pos)),
      timeIndex: new TimeIndex(this.baseOffset, Float64Array.from(this.ts), Int32Array.from(this.tsRel)),
    };
  }

  /** The indexes of a sealed segment, with Kafka's close-time entry. */
  seal(): { offsetIndex: OffsetIndex; timeIndex: TimeIndex } {
    this.appendTimeEntry();
    return this.build();
  }

  get largestTimestamp(): number {
    return this.maxTimestamp;
  }

  /** Where the rule stands after the last batch, so an appender can carry on from here. */
  snapshot(): { bytesSinceLastEntry: number; maxTimestamp: number; offsetOfMaxTimestamp: number; offsetEntries: number; lastOffsetRelative: number; timeEntries: number; lastTimeEntryTimestamp: number } {
    return {
      bytesSinceLastEntry: this.bytesSinceLastEntry,
      maxTimestamp: this.maxTimestamp,
      offsetOfMaxTimestamp: this.offsetOfMaxTimestamp,
      offsetEntries: this.rel.length,
      lastOffsetRelative: this.rel.length ? this.rel[this.rel.length - 1]! : -1,
      timeEntries: this.ts.length,
      lastTimeEntryTimestamp: this.ts.length ? this.ts[this.ts.length - 1]! : -1,
    };
  }

  private appendTimeEntry(): void {
    const last = this.ts.length ? this.ts[this.ts.length - 1]! : -1;
    if (this.maxTimestamp > last) {
      this.ts.push(this.maxTimestamp);
      this.tsRel.push(this.offsetOfMaxTimestamp - this.baseOffset);
    }
  }
}
