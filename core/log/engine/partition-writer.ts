import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { Attribute, BatchField } from '../batch/batch-layout';
import { compactionConfigFromTopic } from '../compaction/compaction-config';
import { type CompactionReport, compactPartition, recoverCompaction } from '../compaction/log-cleaner';
import { writeInt64 } from '../batch/int64';
import { assignBaseOffset, writeBatchCrc } from '../batch/record-batch-encoder';
import type { LogWarning } from '../errors';
import { PartitionLog } from '../partition/partition-log';
import { parseV2Header } from '../segment/batch-header';
import { segmentFileName } from '../segment/log-segment';
import { fsyncDirectory, writeFileAtomic } from './durable-file';
import { EngineError } from './engine-error';
import { ProducerState } from './producer-state';
import { SegmentAppender } from './segment-appender';
import { recoverSegment } from './segment-recovery';
import type { TopicConfig } from './topic-config';

const SEGMENT_LOG = /^(\d{20})\.log$/;
const SNAPSHOT = /^(\d{20})\.snapshot$/;
/** Every batch tapedeck writes carries leader epoch 0: it is the only broker its logs have had. */
export const LEADER_EPOCH = 0;

export interface PartitionOpenOptions {
  readonly now: () => number;
  /** The directory was not shut down cleanly: segments past the recovery point are checked. */
  readonly unclean: boolean;
  readonly recoveryPoint: number;
  readonly logStartOffset: number | undefined;
  readonly onWarning?: (warning: LogWarning) => void;
}

export interface AppendResult {
  readonly baseOffset: number;
  readonly lastOffset: number;
  /** The broker's append time for LogAppendTime topics, -1 for CreateTime. */
  readonly logAppendTime: number;
  readonly recordCount: number;
  /** A retry of a batch this idempotent producer already wrote: nothing was appended again. */
  readonly duplicate?: boolean;
}

export interface PartitionRecoveryReport {
  readonly partition: string;
  /** Segments whose tail was cut, with how many bytes and why. */
  readonly truncated: readonly { readonly segment: number; readonly bytes: number; readonly reason: string }[];
  /** Segments deleted because an earlier one was cut (their offsets no longer follow). */
  readonly deletedSegments: readonly number[];
  /** What finishing a compaction that a crash interrupted took. */
  readonly compactionRecovery: readonly string[];
}

export interface RetentionResult {
  readonly deletedSegments: readonly number[];
  readonly bytesFreed: number;
  readonly logStartOffset: number;
}

/**
 * The one writer of a partition directory: appends batches to the active segment, rolls segments,
 * keeps producer state and snapshots, applies the flush policy, and deletes segments for
 * retention. Reads go through `log`, a PartitionLog over the same files.
 */
export class PartitionWriter {
  readonly log: PartitionLog;
  readonly recovery: PartitionRecoveryReport;
  private appender: SegmentAppender;
  private producers = new ProducerState();
  private flushedOffset: number;
  private startOffset: number;
  private layoutChanged = false;
  private appendedSinceRead = false;
  private lastFlushAt: number;

  constructor(
    readonly dir: string,
    readonly topic: string,
    readonly partition: number,
    private config: TopicConfig,
    private readonly options: PartitionOpenOptions,
  ) {
    const now = options.now();
    removeLeftovers(dir);
    const compactionRecovery = recoverCompaction(dir, { indexIntervalBytes: config['index.interval.bytes'] });
    let bases = listSegmentBases(dir);
    const truncated: { segment: number; bytes: number; reason: string }[] = [];
    const deletedSegments: number[] = [];
    if (bases.length === 0) {
      // Like Kafka, a partition always has an active segment, empty at first.
      const base = Math.max(options.logStartOffset ?? 0, 0);
      for (const suffix of ['.log', '.index', '.timeindex'] as const) closeSync(openSync(path.join(dir, segmentFileName(base, suffix)), 'a'));
      bases = [base];
    }
    // Sealed segments past the recovery point may hold unflushed data: check them like Kafka does.
    if (options.unclean) {
      const firstToCheck = Math.max(0, bases.findLastIndex((b) => b <= options.recoveryPoint));
      for (let i = firstToCheck; i < bases.length - 1; i++) {
        const result = recoverSegment(dir, bases[i]!, { verify: true, seal: true, indexIntervalBytes: config['index.interval.bytes'] });
        if (result.truncatedBytes > 0) {
          truncated.push({ segment: bases[i]!, bytes: result.truncatedBytes, reason: result.reason ?? '' });
          deletedSegments.push(...bases.slice(i + 1));
          for (const later of bases.slice(i + 1)) deleteSegmentFiles(dir, later);
          bases = bases.slice(0, i + 1);
          break;
        }
      }
    }
    const activeBase = bases[bases.length - 1]!;
    this.producers = loadProducerSnapshot(dir, activeBase);
    const active = recoverSegment(dir, activeBase, {
      verify: options.unclean,
      seal: false,
      indexIntervalBytes: config['index.interval.bytes'],
      onBatch: (header) => this.producers.apply(header),
    });
    if (active.truncatedBytes > 0) truncated.push({ segment: activeBase, bytes: active.truncatedBytes, reason: active.reason ?? '' });
    this.appender = new SegmentAppender(dir, activeBase, config['index.interval.bytes'], segmentCreationTime(dir, activeBase, now), active.appender);
    // As Kafka's truncateAndReload: producer state from beyond the log end describes lost data.
    for (const offset of listSnapshotOffsets(dir)) if (offset > this.nextOffset) unlinkSync(path.join(dir, segmentFileName(offset, '.snapshot')));
    this.recovery = { partition: path.basename(dir), truncated, deletedSegments, compactionRecovery };
    this.startOffset = Math.max(bases[0]!, options.logStartOffset ?? 0);
    this.flushedOffset = options.unclean ? this.nextOffset : Math.min(options.recoveryPoint, this.nextOffset);
    this.lastFlushAt = now;
    this.log = new PartitionLog(dir, topic, partition, { verifyChecksums: true, logStartOffsetCheckpoint: this.startOffset, onWarning: options.onWarning });
  }

  get nextOffset(): number {
    return this.appender.lastOffset + 1;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  /** Offsets below this are known to be on disk (Kafka's recovery point). */
  get recoveryPoint(): number {
    return this.flushedOffset;
  }

  get topicConfig(): TopicConfig {
    return this.config;
  }

  updateConfig(config: TopicConfig): void {
    this.config = config;
  }

  /** The reader, brought up to date with what this writer did since it was last used. */
  reader(): PartitionLog {
    if (this.layoutChanged) {
      this.log.refresh(this.startOffset);
      this.layoutChanged = false;
    } else if (this.appendedSinceRead) {
      // This writer is the only one: nothing changed on disk unless it appended.
      this.log.segments[this.log.segments.length - 1]?.refresh();
    }
    this.appendedSinceRead = false;
    return this.log;
  }

  /**
   * Appends one validated v2 batch: assigns its offsets (and for LogAppendTime topics the append
   * time, re-computing the CRC), rolls first if the active segment is due, and fsyncs when the
   * flush policy says so, before returning.
   */
  append(batch: Buffer): AppendResult {
    const now = this.options.now();
    const producer = parseV2Header(batch, 0);
    if (producer.producerId >= 0 && !producer.isControl) {
      const check = this.producers.check(producer.producerId, producer.producerEpoch, producer.baseSequence, producer.lastOffset - producer.baseOffset);
      if (check.kind === 'duplicate') return { baseOffset: check.baseOffset, lastOffset: check.lastOffset, logAppendTime: -1, recordCount: producer.recordCount, duplicate: true };
      if (check.kind === 'out-of-order') {
        throw new EngineError('OUT_OF_ORDER_SEQUENCE_NUMBER', `producer ${producer.producerId} sent sequence ${producer.baseSequence} to ${this.topic}-${this.partition}, expected ${check.expected}`);
      }
      if (check.kind === 'fenced') {
        throw new EngineError('INVALID_PRODUCER_EPOCH', `producer ${producer.producerId} epoch ${producer.producerEpoch} is older than its current epoch ${check.currentEpoch}`);
      }
    }
    const baseOffset = this.nextOffset;
    assignBaseOffset(batch, baseOffset, LEADER_EPOCH);
    let logAppendTime = -1;
    if (this.config['message.timestamp.type'] === 'LogAppendTime') {
      logAppendTime = now;
      batch.writeInt16BE(batch.readInt16BE(BatchField.attributes) | Attribute.timestampTypeLogAppend, BatchField.attributes);
      writeInt64(batch, now, BatchField.maxTimestamp);
      writeBatchCrc(batch);
    }
    const header = parseV2Header(batch, 0);
    const limits = { segmentBytes: this.config['segment.bytes'], segmentMs: this.config['segment.ms'], segmentIndexBytes: this.config['segment.index.bytes'] };
    if (!this.appender.isEmpty && this.appender.shouldRoll(header, limits, now)) this.roll(now);
    this.appender.append(batch, header);
    this.appendedSinceRead = true;
    this.producers.apply(header);
    // Kafka counts messages (offsets), not batches: flush when logEnd - recoveryPoint >= flush.messages.
    if (this.nextOffset - this.flushedOffset >= this.config['flush.messages']) this.flush();
    return { baseOffset, lastOffset: header.lastOffset, logAppendTime, recordCount: header.recordCount };
  }

  /** fsyncs what was appended; called by the flush policy, on roll, and on close. */
  flush(): void {
    this.appender.flush();
    this.flushedOffset = this.nextOffset;
    this.lastFlushAt = this.options.now();
  }

  /** For `flush.ms`: flush if the interval has passed since the last flush. */
  flushIfDue(now: number): void {
    if (this.config['flush.ms'] < Number.MAX_SAFE_INTEGER && now - this.lastFlushAt >= this.config['flush.ms']) this.flush();
  }

  /** Seals the active segment and starts a new one at the log end, with a producer snapshot. */
  roll(now = this.options.now()): void {
    const newBase = this.nextOffset;
    // The snapshot goes first: if the disk is full, the roll fails with the active segment still
    // open and the partition still appendable (a snapshot at newBase is true whenever written).
    writeFileAtomic(path.join(this.dir, segmentFileName(newBase, '.snapshot')), this.producers.encodeSnapshot());
    this.appender.seal();
    this.flushedOffset = newBase;
    this.appender = new SegmentAppender(this.dir, newBase, this.config['index.interval.bytes'], now);
    // The new segment's files must still be there after a power cut, not just their data.
    fsyncDirectory(this.dir);
    this.layoutChanged = true;
  }

  /**
   * Retention (cleanup.policy delete): deletes the oldest sealed segments while they are past
   * `retention.ms` (by their largest timestamp, or the file time when none has one) or the
   * partition is over `retention.bytes`. The active segment is never deleted.
   */
  applyRetention(now: number): RetentionResult {
    const reader = this.reader();
    const sealed = reader.segments.slice(0, -1);
    let total = reader.segments.reduce((sum, s) => sum + s.sizeInBytes, 0);
    const retentionMs = this.config['retention.ms'];
    const retentionBytes = this.config['retention.bytes'];
    const deleted: number[] = [];
    let bytesFreed = 0;
    for (const segment of sealed) {
      const largest = segment.largestTimestamp();
      const age = now - (largest >= 0 ? largest : statSync(segment.logPath).mtimeMs);
      const expired = retentionMs >= 0 && age > retentionMs;
      const overSize = retentionBytes >= 0 && total - segment.sizeInBytes >= retentionBytes;
      if (!expired && !overSize) break;
      total -= segment.sizeInBytes;
      bytesFreed += segment.sizeInBytes;
      deleted.push(segment.baseOffset);
    }
    if (deleted.length) {
      const remaining = reader.segments[deleted.length]!;
      this.startOffset = Math.max(this.startOffset, remaining.baseOffset);
      for (const base of deleted) deleteSegmentFiles(this.dir, base);
      for (const base of listSnapshotOffsets(this.dir)) if (base < this.startOffset) unlinkSync(path.join(this.dir, segmentFileName(base, '.snapshot')));
      this.layoutChanged = true;
    }
    return { deletedSegments: deleted, bytesFreed, logStartOffset: this.startOffset };
  }

  /** The sealed segments (compaction may rewrite them; never the active one). */
  sealedSegmentBases(): number[] {
    return this.reader().segments.slice(0, -1).map((s) => s.baseOffset);
  }

  /**
   * Compaction (cleanup.policy compact): the latest record per key in the sealed segments from
   * `firstDirtyOffset` on is kept, older ones removed, offsets unchanged; never the active segment.
   */
  compact(now: number, firstDirtyOffset: number): CompactionReport | undefined {
    const sealed = this.sealedSegmentBases();
    if (sealed.length === 0) return undefined;
    const config = compactionConfigFromTopic(this.config as unknown as Record<string, number | string>);
    const report = compactPartition(this.dir, sealed, { now, config, firstDirtyOffset });
    this.layoutChanged = true;
    return report;
  }

  /** Closes cleanly: the active segment gets its close-time index entry and everything is fsynced. */
  close(): void {
    this.appender.seal();
    this.flushedOffset = this.nextOffset;
    this.log.close();
  }

  /** Closes without the clean-shutdown work, as a crash would leave it (for tests and on fatal errors). */
  abandon(): void {
    this.appender.close();
    this.log.close();
  }

}

function listSegmentBases(dir: string): number[] {
  return readdirSync(dir)
    .map((name) => SEGMENT_LOG.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

function listSnapshotOffsets(dir: string): number[] {
  return readdirSync(dir)
    .map((name) => SNAPSHOT.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));
}

/** Files a crash can leave behind mid-delete: finish the delete, as Kafka does at start-up. */
function removeLeftovers(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.deleted') || name.endsWith('.tmp')) unlinkSync(path.join(dir, name));
  }
}

function deleteSegmentFiles(dir: string, base: number): void {
  for (const suffix of ['.log', '.index', '.timeindex', '.txnindex'] as const) {
    const file = path.join(dir, segmentFileName(base, suffix));
    if (!existsSync(file)) continue;
    // Renamed first so that a crash half way leaves a `.deleted` file, never a half-deleted segment.
    renameSync(file, `${file}.deleted`);
    unlinkSync(`${file}.deleted`);
  }
}

/** The producer snapshot written when `activeBase` was rolled in, or empty state. */
function loadProducerSnapshot(dir: string, activeBase: number): ProducerState {
  const file = path.join(dir, segmentFileName(activeBase, '.snapshot'));
  if (!existsSync(file)) return new ProducerState();
  return ProducerState.decodeSnapshot(readFileSync(file)) ?? new ProducerState();
}

function segmentCreationTime(dir: string, base: number, now: number): number {
  const file = path.join(dir, segmentFileName(base, '.log'));
  return existsSync(file) ? Math.min(statSync(file).mtimeMs, now) : now;
}
