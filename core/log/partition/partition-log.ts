import { readdirSync } from 'node:fs';
import type { LogBatch, LogRecord } from '../batch/log-record';
import { codecName } from '../compression/compression-codec';
import type { ScanOptions } from '../segment/batch-scanner';
import { LogSegment } from '../segment/log-segment';

const SEGMENT_LOG = /^(\d{20})\.log$/;

export interface PartitionSummary {
  readonly topic: string;
  readonly partition: number;
  /** Kafka's log start offset: what a consumer asking for "earliest" gets. */
  readonly startOffset: number;
  /** The log end offset: the offset the next appended record will get. */
  readonly nextOffset: number;
  /** Data records, not counting transaction markers and other control records. */
  readonly records: number;
  readonly controlRecords: number;
  readonly batches: number;
  readonly bytes: number;
  readonly segments: number;
  /** Earliest and latest record timestamps, -1 when no record has one. */
  readonly firstTimestamp: number;
  readonly lastTimestamp: number;
  readonly codecs: readonly string[];
}

export interface ReadOptions {
  readonly fromOffset: number;
  readonly maxRecords?: number;
  readonly maxBytes?: number;
  /** Transaction markers are left out unless asked for, as consumers never see them. */
  readonly includeControl?: boolean;
}

export interface ReadRecord {
  readonly record: LogRecord;
  /** The batch the record came from: its producer, compression and control facts. */
  readonly batch: LogBatch;
}

/**
 * One partition directory: its segments in offset order, read as one log. Offsets may have gaps
 * (compaction keeps offsets, and retention empties whole segments).
 */
export class PartitionLog {
  private segmentList: LogSegment[] = [];

  constructor(
    readonly dir: string,
    readonly topic: string,
    readonly partition: number,
    private readonly options: ScanOptions & { logStartOffsetCheckpoint?: number | undefined } = {},
  ) {
    this.refresh();
  }

  get segments(): readonly LogSegment[] {
    return this.segmentList;
  }

  /**
   * Picks up what a writer changed since: new segments (a roll), removed ones (retention,
   * compaction) and growth of the last one. Unchanged segments keep their loaded indexes.
   */
  refresh(logStartOffset?: number): void {
    if (logStartOffset !== undefined) this.options.logStartOffsetCheckpoint = logStartOffset;
    const known = new Map(this.segmentList.map((s) => [s.baseOffset, s]));
    const next = readdirSync(this.dir)
      .map((name) => SEGMENT_LOG.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => known.get(Number(m[1])) ?? new LogSegment(this.dir, Number(m[1]), this.options, m[0]))
      .sort((a, b) => a.baseOffset - b.baseOffset);
    for (const old of this.segmentList) if (!next.includes(old)) old.close();
    for (const segment of next) segment.refresh();
    this.segmentList = next;
  }

  get name(): string {
    return `${this.topic}-${this.partition}`;
  }

  /** As Kafka computes it on load: the first segment's base, raised by the log-start checkpoint. */
  startOffset(): number {
    const first = this.segments[0]?.baseOffset ?? 0;
    return Math.max(first, this.options.logStartOffsetCheckpoint ?? 0);
  }

  /** The log end offset. An empty last segment (rolled by retention) holds it in its name. */
  nextOffset(): number {
    const last = this.segments[this.segments.length - 1];
    return Math.max(last ? last.nextOffset() : 0, this.startOffset());
  }

  /** Index of the segment that may hold `offset`: the last whose base is <= offset. */
  private segmentIndexFor(offset: number): number {
    let found = 0;
    for (let i = 0; i < this.segments.length; i++) {
      if (this.segments[i]!.baseOffset <= offset) found = i;
      else break;
    }
    return found;
  }

  /** Batches from the one holding `fromOffset` (or the next after a gap) to the end of the log. */
  *batches(fromOffset = 0): Generator<LogBatch> {
    for (let i = this.segmentIndexFor(fromOffset); i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      const start = segment.findBatchHeader(fromOffset);
      if (!start) continue;
      for (const batch of segment.batches(start.position)) yield batch;
    }
  }

  /**
   * The stored bytes of the batches from the one holding `fromOffset`, as contiguous slices of the
   * segment files, for serving a Kafka Fetch without re-encoding: whole batches only, at least one
   * even when it alone exceeds `maxBytes` (as Kafka does from Fetch v3), none starting at or after
   * `endOffset` (the high watermark).
   */
  readRaw(fromOffset: number, maxBytes: number, endOffset: number): { chunks: Buffer[]; bytes: number } {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for (let i = this.segmentIndexFor(fromOffset); i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      const first = segment.findBatchHeader(fromOffset);
      if (!first) continue;
      let end = first.position;
      for (const header of segment.headers(first.position)) {
        if (header.baseOffset >= endOffset) break;
        if (bytes > 0 && bytes + header.sizeInBytes > maxBytes) break;
        bytes += header.sizeInBytes;
        end = header.position + header.sizeInBytes;
      }
      if (end > first.position) chunks.push(segment.file.read(first.position, end - first.position));
      if (bytes >= maxBytes || end === first.position) break;
    }
    return { chunks, bytes };
  }

  /** Records from `fromOffset` on, bounded by a record count and/or a byte budget of whole batches. */
  *records(options: ReadOptions): Generator<ReadRecord> {
    let count = 0;
    let bytes = 0;
    const maxRecords = options.maxRecords ?? Infinity;
    const maxBytes = options.maxBytes ?? Infinity;
    for (const batch of this.batches(options.fromOffset)) {
      if (bytes > 0 && bytes + batch.sizeInBytes > maxBytes) return;
      bytes += batch.sizeInBytes;
      if (batch.isControl && !options.includeControl) continue;
      for (const record of batch.records()) {
        if (record.offset < options.fromOffset) continue;
        if (count++ >= maxRecords) return;
        yield { record, batch };
      }
    }
  }

  /** The first offset whose record has timestamp >= target (ListOffsets semantics), or undefined. */
  offsetForTimestamp(target: number): { offset: number; timestamp: number } | undefined {
    for (const segment of this.segments) {
      const found = segment.findByTimestamp(target);
      if (found) return found;
    }
    return undefined;
  }

  /** Counts and ranges from the batch headers alone: no record is decoded. */
  summary(): PartitionSummary {
    let records = 0;
    let controlRecords = 0;
    let batches = 0;
    let bytes = 0;
    let firstTimestamp = -1;
    let lastTimestamp = -1;
    const codecs = new Set<string>();
    for (const segment of this.segments) {
      bytes += segment.sizeInBytes;
      for (const header of segment.headers()) {
        batches++;
        if (header.isControl) controlRecords += header.recordCount;
        else records += header.recordCount;
        codecs.add(codecName(header.compression));
        if (header.firstTimestamp >= 0 && (firstTimestamp < 0 || header.firstTimestamp < firstTimestamp)) firstTimestamp = header.firstTimestamp;
        if (header.maxTimestamp > lastTimestamp) lastTimestamp = header.maxTimestamp;
      }
    }
    return {
      topic: this.topic,
      partition: this.partition,
      startOffset: this.startOffset(),
      nextOffset: this.nextOffset(),
      records,
      controlRecords,
      batches,
      bytes,
      segments: this.segments.length,
      firstTimestamp,
      lastTimestamp,
      codecs: [...codecs].sort(),
    };
  }

  close(): void {
    for (const segment of this.segments) segment.close();
  }
}
