import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LogRecord } from '../batch/log-record';
import { BATCH_HEADER_SIZE, BatchField, LOG_OVERHEAD } from '../batch/batch-layout';
import { RecordBatchV2 } from '../batch/record-batch';
import { encodeRecordBatch, type RecordToEncode } from '../batch/record-batch-encoder';
import type { CompressionCodec } from '../compression/compression-codec';
import { LogFormatError, type LogWarning } from '../errors';
import { parseOffsetCheckpoint } from '../logdir/checkpoint-file';
import { parseMetaProperties } from '../logdir/meta-properties';
import { parsePartitionDirName } from '../logdir/partition-dir-name';
import type { ReadRecord } from '../partition/partition-log';
import { writeLeaderEpochCheckpoint, writeOffsetCheckpoint } from './checkpoint-writer';
import { fsyncDirectory, writeFileAtomic } from './durable-file';
import { EngineError } from './engine-error';
import { type AppendResult, type PartitionRecoveryReport, PartitionWriter, type RetentionResult } from './partition-writer';
import { DefaultPartitioner } from './sticky-partitioner';
import type { CompactionReport } from '../compaction/log-cleaner';
import { compacts, defaultsFor, deletes, parseTopicConfig, type TopicConfig, TopicConfigError } from './topic-config';
import { newTopicId, readPartitionMetadata, writePartitionMetadata } from './topic-id';
import { topicNameProblem } from './topic-name';
import { TopicRegistry } from './topic-registry';
import { WriterLock } from './writer-lock';

export interface EngineOptions {
  /** The clock; tests and replays pass their own. */
  readonly now?: () => number;
  /** Create the directory (and `meta.properties`) when it does not exist. */
  readonly create?: boolean;
  /** How often to run flush.ms flushes and retention; 0 turns the timer off (call them yourself). */
  readonly maintenanceIntervalMs?: number;
  /** How often the maintenance timer compacts compacted topics (default: every 5 minutes). */
  readonly compactionIntervalMs?: number;
  readonly onWarning?: (warning: LogWarning) => void;
}

export interface TopicDescription {
  readonly name: string;
  readonly topicId: string | undefined;
  readonly partitions: number;
  readonly config: TopicConfig;
  /** False for topics found on disk without tapedeck settings: maintenance leaves them alone. */
  readonly managed: boolean;
}

export interface ProduceRecord {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers?: readonly { readonly key: string; readonly value: Uint8Array | null }[];
  /** Milliseconds since the epoch; defaults to now. */
  readonly timestamp?: number;
  /** Chosen by the default partitioner when missing. */
  readonly partition?: number;
}

export interface ProduceResult {
  readonly partition: number;
  readonly baseOffset: number;
  readonly recordCount: number;
}

const CLEAN_SHUTDOWN = '.kafka_cleanshutdown';
/** The largest timestamp the engine accepts: year 275760, the end of JavaScript's Date range. */
const MAX_TIMESTAMP = 8.64e15;
const RECOVERY_POINT_FILE = 'recovery-point-offset-checkpoint';
const LOG_START_FILE = 'log-start-offset-checkpoint';
const REPLICATION_FILE = 'replication-offset-checkpoint';
const CLEANER_FILE = 'cleaner-offset-checkpoint';

/**
 * The embedded log engine over one Kafka log directory: topics and partitions, appends, reads,
 * following the log end, retention, and the files Kafka keeps beside the data (checkpoints,
 * `meta.properties`, the clean-shutdown marker). One process writes a directory at a time; a
 * directory that was not shut down cleanly is recovered on open, and the report says what was cut.
 */
export class LogEngine {
  readonly recovery: readonly PartitionRecoveryReport[];
  readonly clusterId: string;
  readonly nodeId: number;
  private readonly writers = new Map<string, PartitionWriter>();
  private readonly topics = new Map<string, TopicDescription>();
  private readonly registry: TopicRegistry;
  private readonly appended = new EventEmitter();
  private readonly partitioner = new DefaultPartitioner();
  private readonly now: () => number;
  private readonly lock: WriterLock;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Per partition, the offset from which the log has not been compacted yet. */
  private firstDirty = new Map<string, number>();
  private lastCompactionAt: number;

  private constructor(
    readonly dir: string,
    private readonly options: EngineOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.appended.setMaxListeners(0);
    this.lock = WriterLock.acquire(dir);
    try {
      const meta = this.ensureMetaProperties();
      this.clusterId = meta.clusterId;
      this.nodeId = meta.nodeId;
      this.registry = new TopicRegistry(dir);
      this.firstDirty = this.readCheckpoint(CLEANER_FILE);
      this.lastCompactionAt = this.now();
      const clean = existsSync(path.join(dir, CLEAN_SHUTDOWN));
      // From here on a crash must count as unclean, so the marker goes before any write.
      if (clean) {
        unlinkSync(path.join(dir, CLEAN_SHUTDOWN));
        fsyncDirectory(dir);
      }
      this.recovery = this.openPartitions(!clean);
      this.writeCheckpoints();
      const interval = options.maintenanceIntervalMs ?? 1000;
      if (interval > 0) {
        this.timer = setInterval(() => this.maintain(), interval);
        this.timer.unref();
      }
    } catch (error) {
      for (const writer of this.writers.values()) writer.abandon();
      this.lock.release();
      throw error;
    }
  }

  /** Opens (and with `create`, makes) a log directory for writing. */
  static open(dir: string, options: EngineOptions = {}): LogEngine {
    const resolved = path.resolve(dir);
    if (!existsSync(resolved)) {
      if (!options.create) throw new Error(`${resolved}: no such directory (pass create to make one)`);
      mkdirSync(resolved, { recursive: true });
    }
    return new LogEngine(resolved, options);
  }

  // ---- topics ----

  /** Checks a topic could be created as asked, without creating it; returns its settings. Throws EngineError. */
  validateNewTopic(name: string, options: { partitions?: number; config?: Readonly<Record<string, string | number>> } = {}): { partitions: number; config: TopicConfig } {
    const problem = topicNameProblem(name);
    if (problem) throw new EngineError('INVALID_TOPIC', problem);
    if (this.topics.has(name)) throw new EngineError('TOPIC_ALREADY_EXISTS', `topic '${name}' already exists`);
    const partitions = options.partitions ?? 1;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10000) throw new EngineError('INVALID_PARTITIONS', `a topic needs 1 to 10000 partitions, not ${partitions}`);
    try {
      return { partitions, config: parseTopicConfig(options.config ?? {}, defaultsFor(name)) };
    } catch (error) {
      if (error instanceof TopicConfigError) throw new EngineError('INVALID_CONFIG', error.message);
      throw error;
    }
  }

  createTopic(name: string, options: { partitions?: number; config?: Readonly<Record<string, string | number>> } = {}): TopicDescription {
    this.assertOpen();
    const { partitions, config } = this.validateNewTopic(name, options);
    const topic: TopicDescription = { name, topicId: newTopicId(), partitions, config, managed: true };
    this.registry.save(topic);
    for (let p = 0; p < partitions; p++) this.createPartition(topic, p);
    this.topics.set(name, topic);
    this.writeCheckpoints();
    return topic;
  }

  deleteTopic(name: string): void {
    this.assertOpen();
    const topic = this.requireTopic(name);
    for (let p = 0; p < topic.partitions; p++) {
      const key = `${name}-${p}`;
      this.writers.get(key)?.close();
      this.writers.delete(key);
      const partitionDir = path.join(this.dir, key);
      if (!existsSync(partitionDir)) continue;
      // As Kafka does: rename out of the way first, so a crash never leaves a half-deleted partition.
      // Kafka's name (LocalLog.logDeleteDirName): the topic part is cut so the name fits in 255 bytes.
      const suffix = `-${p}.${randomUUID().replaceAll('-', '')}-delete`;
      const doomed = path.join(this.dir, `${name.slice(0, 255 - suffix.length)}${suffix}`);
      renameSync(partitionDir, doomed);
      rmSync(doomed, { recursive: true, force: true });
    }
    this.registry.remove(name);
    this.topics.delete(name);
    fsyncDirectory(this.dir);
    this.writeCheckpoints();
  }

  /**
   * Changes a topic's config (over its current one) and makes it managed: from then on retention
   * and compaction apply to it, also when it came from a directory copied off a broker.
   */
  alterTopicConfig(name: string, overrides: Readonly<Record<string, string | number>>): TopicDescription {
    this.assertOpen();
    const topic = this.requireTopic(name);
    let config: TopicConfig;
    try {
      config = parseTopicConfig(overrides, topic.config);
    } catch (error) {
      if (error instanceof TopicConfigError) throw new EngineError('INVALID_CONFIG', error.message);
      throw error;
    }
    const updated: TopicDescription = { ...topic, config, managed: true };
    this.registry.save(updated);
    this.topics.set(name, updated);
    for (let p = 0; p < topic.partitions; p++) this.writers.get(`${name}-${p}`)?.updateConfig(config);
    return updated;
  }

  listTopics(): TopicDescription[] {
    return [...this.topics.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  describeTopic(name: string): TopicDescription | undefined {
    return this.topics.get(name);
  }

  // ---- writes ----

  /**
   * Appends records to one partition as one batch; returns the offsets they got. Records over
   * `max.message.bytes`, unknown partitions and storage failures are EngineErrors; a failed
   * append leaves the partition as it was.
   */
  appendRecords(topic: string, partition: number, records: readonly RecordToEncode[], options: { compression?: CompressionCodec } = {}): AppendResult {
    if (records.length === 0) throw new EngineError('INVALID_RECORD', 'nothing to append: the batch has no records');
    return this.appendBatch(topic, partition, encodeRecordBatch({ baseOffset: 0, records, compression: options.compression }));
  }

  /**
   * Appends one encoded RecordBatch v2 as a producer sent it. Its bytes are stored as they are
   * (only the offset, the leader epoch and, for LogAppendTime topics, the time change), after
   * checking it as a broker does: CRC, magic, record count, no control batches, size limit.
   */
  appendBatch(topic: string, partition: number, batch: Buffer): AppendResult {
    this.assertOpen();
    const writer = this.requireWriter(topic, partition);
    this.validateBatch(topic, partition, batch, writer.topicConfig);
    return this.appendValidated(topic, partition, writer, batch);
  }

  private appendValidated(topic: string, partition: number, writer: PartitionWriter, batch: Buffer): AppendResult {
    let result: AppendResult;
    try {
      result = writer.append(batch);
    } catch (error) {
      if (error instanceof EngineError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new EngineError('STORAGE_ERROR', `cannot append to ${topic}-${partition}: ${code === 'ENOSPC' ? 'the disk is full' : (error as Error).message}; nothing of this batch was stored`, { cause: error });
    }
    this.appended.emit(`${topic}-${partition}`, result.lastOffset + 1);
    return result;
  }

  /**
   * Produces records to a topic, choosing partitions as the Java client does (murmur2 of the key;
   * sticky batches for keyless records); one batch per partition. With `createPartitions`, a
   * missing topic is created first.
   */
  produce(topic: string, records: readonly ProduceRecord[], options: { createPartitions?: number; compression?: CompressionCodec } = {}): ProduceResult[] {
    this.assertOpen();
    if (!this.topics.has(topic) && options.createPartitions !== undefined) this.createTopic(topic, { partitions: options.createPartitions });
    const description = this.requireTopic(topic);
    const now = this.now();
    const byPartition = new Map<number, RecordToEncode[]>();
    for (const record of records) {
      const partition = record.partition ?? this.partitioner.partition(topic, record.key, record.value?.length ?? 0, description.partitions);
      if (!Number.isInteger(partition) || partition < 0 || partition >= description.partitions) {
        throw new EngineError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${topic}' has partitions 0-${description.partitions - 1}, not ${partition}`);
      }
      const list = byPartition.get(partition) ?? [];
      list.push({ key: record.key, value: record.value, headers: record.headers, timestamp: record.timestamp ?? now });
      byPartition.set(partition, list);
    }
    // Every batch is encoded and checked before any is stored, so a refused produce stores
    // nothing and a caller may retry it without duplicating records.
    const batches = [...byPartition]
      .sort(([a], [b]) => a - b)
      .map(([partition, records]) => {
        const batch = encodeRecordBatch({ baseOffset: 0, records, compression: options.compression });
        const writer = this.requireWriter(topic, partition);
        this.validateBatch(topic, partition, batch, writer.topicConfig);
        return { partition, batch, writer };
      });
    return batches.map(({ partition, batch, writer }) => {
      const result = this.appendValidated(topic, partition, writer, batch);
      return { partition, baseOffset: result.baseOffset, recordCount: result.recordCount };
    });
  }

  // ---- reads ----

  /** Records from an offset, bounded by count and/or bytes (whole batches), control records left out. */
  read(topic: string, partition: number, options: { fromOffset: number; maxRecords?: number; maxBytes?: number; includeControl?: boolean }): ReadRecord[] {
    const writer = this.requireWriter(topic, partition);
    const start = writer.logStartOffset;
    if (options.fromOffset < start || options.fromOffset > writer.nextOffset) {
      throw new EngineError('OFFSET_OUT_OF_RANGE', `${topic}-${partition} holds offsets ${start} to ${writer.nextOffset - 1}; ${options.fromOffset} is outside`);
    }
    return [...writer.reader().records(options)];
  }

  /** The first offset whose record has a timestamp >= `timestamp` (ListOffsets), or undefined. */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): number | undefined {
    return this.requireWriter(topic, partition).reader().offsetForTimestamp(timestamp)?.offset;
  }

  startOffset(topic: string, partition: number): number {
    return this.requireWriter(topic, partition).logStartOffset;
  }

  endOffset(topic: string, partition: number): number {
    return this.requireWriter(topic, partition).nextOffset;
  }

  /** Resolves true as soon as the log end passes `offset`, false after `timeoutMs` or on abort. */
  waitForAppend(topic: string, partition: number, offset: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.endOffset(topic, partition) > offset) return Promise.resolve(true);
    const event = `${topic}-${partition}`;
    return new Promise((resolve) => {
      const done = (result: boolean) => {
        clearTimeout(timer);
        this.appended.off(event, onAppend);
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const onAppend = (end: number) => end > offset && done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.appended.on(event, onAppend);
      signal?.addEventListener('abort', onAbort);
    });
  }

  /** Every record from `fromOffset` on, waiting at the log end for more until the signal aborts. */
  async *follow(topic: string, partition: number, fromOffset: number, signal: AbortSignal): AsyncGenerator<ReadRecord> {
    let next = fromOffset;
    while (!signal.aborted && !this.closed) {
      // Control records are read too so that the position moves past transaction markers.
      const records = this.read(topic, partition, { fromOffset: next, maxRecords: 500, includeControl: true });
      for (const record of records) {
        next = record.record.offset + 1;
        if (!record.batch.isControl) yield record;
      }
      if (records.length === 0) await this.waitForAppend(topic, partition, next, 1000, signal);
    }
  }

  // ---- maintenance ----

  /** fsyncs every partition now. */
  flush(): void {
    for (const writer of this.writers.values()) writer.flush();
    this.writeCheckpoints();
  }

  /** Applies retention to every topic whose cleanup.policy includes delete. */
  runRetention(now = this.now()): { partition: string; result: RetentionResult }[] {
    this.assertOpen();
    const results: { partition: string; result: RetentionResult }[] = [];
    for (const [key, writer] of this.writers) {
      if (!deletes(writer.topicConfig) || !this.topics.get(writer.topic)?.managed) continue;
      const result = writer.applyRetention(now);
      if (result.deletedSegments.length) results.push({ partition: key, result });
    }
    if (results.length) this.writeCheckpoints();
    return results;
  }

  /** Compacts every partition of the topics whose cleanup.policy includes compact. */
  runCompaction(now = this.now()): { partition: string; report: CompactionReport }[] {
    this.assertOpen();
    const results: { partition: string; report: CompactionReport }[] = [];
    for (const [key, writer] of this.writers) {
      if (!compacts(writer.topicConfig) || !this.topics.get(writer.topic)?.managed) continue;
      const report = writer.compact(now, this.firstDirty.get(key) ?? writer.logStartOffset);
      if (!report) continue;
      this.firstDirty.set(key, report.firstDirtyOffset);
      if (report.segmentsCleaned > 0) results.push({ partition: key, report });
    }
    this.lastCompactionAt = now;
    this.writeCheckpoints();
    return results;
  }

  partitionWriter(topic: string, partition: number): PartitionWriter {
    return this.requireWriter(topic, partition);
  }

  /** Closes cleanly: segments sealed and fsynced, checkpoints written, the clean-shutdown marker left. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const writer of this.writers.values()) writer.close();
    this.writeCheckpoints();
    writeFileAtomic(path.join(this.dir, CLEAN_SHUTDOWN), '{"version":0,"brokerEpoch":0}');
    this.lock.release();
    this.appended.removeAllListeners();
  }

  // ---- internals ----

  private maintain(): void {
    if (this.closed) return;
    const now = this.now();
    try {
      for (const writer of this.writers.values()) writer.flushIfDue(now);
      this.runRetention(now);
      if (now - this.lastCompactionAt >= (this.options.compactionIntervalMs ?? 300_000)) this.runCompaction(now);
    } catch (error) {
      this.options.onWarning?.({ file: this.dir, position: -1, message: `background maintenance failed: ${(error as Error).message}` });
    }
  }

  /**
   * Checks a batch as Kafka's LogValidator does before it is stored: the size limit, the CRC
   * (CORRUPT_MESSAGE), and then every record decoded against the header (INVALID_RECORD), so a
   * batch whose records do not match what its header claims can never make the partition unreadable.
   */
  private validateBatch(topic: string, partition: number, batch: Buffer, config: TopicConfig): void {
    const where = `${topic}-${partition}`;
    if (batch.length > config['max.message.bytes']) {
      throw new EngineError('MESSAGE_TOO_LARGE', `the batch is ${batch.length} bytes, over ${where}'s max.message.bytes of ${config['max.message.bytes']}`);
    }
    const label = `<batch for ${where}>`;
    // Framing that does not add up is corruption; records that do not match their header are invalid.
    if (batch.length < BATCH_HEADER_SIZE || batch.readInt32BE(BatchField.batchLength) + LOG_OVERHEAD !== batch.length || batch[BatchField.magic] !== 2) {
      throw new EngineError('CORRUPT_MESSAGE', `${label}: not one whole RecordBatch v2 (${batch.length} bytes, length field ${batch.length >= 12 ? batch.readInt32BE(BatchField.batchLength) : '-'}, magic ${batch[BatchField.magic] ?? '-'})`);
    }
    let parsed: RecordBatchV2;
    try {
      parsed = new RecordBatchV2(batch, 0, label);
    } catch (error) {
      if (error instanceof LogFormatError) throw new EngineError('INVALID_RECORD', error.message);
      throw error;
    }
    try {
      parsed.verifyChecksum();
    } catch (error) {
      if (error instanceof LogFormatError) throw new EngineError('CORRUPT_MESSAGE', error.message);
      throw error;
    }
    if (parsed.isControl) throw new EngineError('INVALID_RECORD', `producers may not append control batches (to ${where})`);
    // Timestamps are milliseconds since the epoch, or -1 for none; anything else cannot be served back.
    for (const [field, value] of [['base', parsed.baseTimestamp], ['max', parsed.maxTimestamp]] as const) {
      if (value < -1 || value > MAX_TIMESTAMP) throw new EngineError('INVALID_RECORD', `${field} timestamp ${value} of the batch for ${where} is not a time (milliseconds since 1970, or -1)`);
    }
    if (parsed.recordCount === 0 || parsed.lastOffset - parsed.baseOffset + 1 !== parsed.recordCount) {
      throw new EngineError('INVALID_RECORD', `a produced batch must hold lastOffsetDelta + 1 = recordCount > 0 records (to ${where})`);
    }
    try {
      parsed.records();
    } catch (error) {
      if (error instanceof LogFormatError) throw new EngineError('INVALID_RECORD', error.message);
      throw error;
    }
  }

  private requireTopic(name: string): TopicDescription {
    const topic = this.topics.get(name);
    if (!topic) throw new EngineError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic '${name}'`);
    return topic;
  }

  private requireWriter(topic: string, partition: number): PartitionWriter {
    const writer = this.writers.get(`${topic}-${partition}`);
    if (writer) return writer;
    const known = this.topics.get(topic);
    throw new EngineError('UNKNOWN_TOPIC_OR_PARTITION', known ? `topic '${topic}' has partitions 0-${known.partitions - 1}, not ${partition}` : `unknown topic '${topic}'`);
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineError('CLOSED', `the log engine for ${this.dir} is closed`);
  }

  private createPartition(topic: TopicDescription, partition: number): void {
    const partitionDir = path.join(this.dir, `${topic.name}-${partition}`);
    mkdirSync(partitionDir, { recursive: true });
    if (topic.topicId) writePartitionMetadata(partitionDir, topic.topicId);
    writeLeaderEpochCheckpoint(path.join(partitionDir, 'leader-epoch-checkpoint'), [{ epoch: 0, startOffset: 0 }]);
    this.writers.set(`${topic.name}-${partition}`, new PartitionWriter(partitionDir, topic.name, partition, topic.config, { now: this.now, unclean: false, recoveryPoint: 0, logStartOffset: 0, onWarning: this.options.onWarning }));
  }

  private openPartitions(unclean: boolean): PartitionRecoveryReport[] {
    const recoveryPoints = this.readCheckpoint(RECOVERY_POINT_FILE);
    const logStarts = this.readCheckpoint(LOG_START_FILE);
    const found = new Map<string, { partitions: number[]; topicId: string | undefined }>();
    for (const entry of readdirSync(this.dir, { withFileTypes: true })) {
      const parsed = entry.isDirectory() ? parsePartitionDirName(entry.name) : undefined;
      if (!parsed) continue;
      const topic = found.get(parsed.topic) ?? { partitions: [], topicId: undefined };
      topic.partitions.push(parsed.partition);
      topic.topicId ??= readPartitionMetadata(path.join(this.dir, entry.name));
      found.set(parsed.topic, topic);
    }
    for (const name of this.registry.names()) if (!found.has(name)) found.set(name, { partitions: [], topicId: undefined });
    const reports: PartitionRecoveryReport[] = [];
    for (const [name, onDisk] of found) {
      const record = this.registry.load(name, onDisk.partitions.length ? Math.max(...onDisk.partitions) + 1 : 0, onDisk.topicId);
      this.topics.set(name, record);
      for (let p = 0; p < record.partitions; p++) {
        const key = `${name}-${p}`;
        const partitionDir = path.join(this.dir, key);
        if (!existsSync(partitionDir)) mkdirSync(partitionDir);
        const writer = new PartitionWriter(partitionDir, name, p, record.config, {
          now: this.now,
          unclean,
          recoveryPoint: recoveryPoints.get(key) ?? 0,
          logStartOffset: logStarts.get(key),
          onWarning: this.options.onWarning,
        });
        this.writers.set(key, writer);
        if (writer.recovery.truncated.length || writer.recovery.deletedSegments.length || writer.recovery.compactionRecovery.length) reports.push(writer.recovery);
      }
    }
    return reports;
  }

  private readCheckpoint(name: string): Map<string, number> {
    const file = path.join(this.dir, name);
    if (!existsSync(file)) return new Map();
    try {
      return new Map(parseOffsetCheckpoint(readFileSync(file, 'utf8'), file).map((e) => [`${e.topic}-${e.partition}`, e.offset]));
    } catch (error) {
      if (!(error instanceof LogFormatError)) throw error;
      this.options.onWarning?.({ file, position: error.position, message: `${error.reason}; ignored` });
      return new Map();
    }
  }

  /** The root checkpoint files, as Kafka keeps them. A single node's high watermark is its log end. */
  private writeCheckpoints(): void {
    const entries = [...this.writers.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    writeOffsetCheckpoint(path.join(this.dir, RECOVERY_POINT_FILE), entries.map((w) => ({ topic: w.topic, partition: w.partition, offset: w.recoveryPoint })));
    writeOffsetCheckpoint(path.join(this.dir, REPLICATION_FILE), entries.map((w) => ({ topic: w.topic, partition: w.partition, offset: w.nextOffset })));
    writeOffsetCheckpoint(
      path.join(this.dir, CLEANER_FILE),
      entries.filter((w) => this.firstDirty.has(`${w.topic}-${w.partition}`)).map((w) => ({ topic: w.topic, partition: w.partition, offset: this.firstDirty.get(`${w.topic}-${w.partition}`)! })),
    );
    // Kafka lists only partitions whose log start is above their first segment's base.
    writeOffsetCheckpoint(
      path.join(this.dir, LOG_START_FILE),
      entries.filter((w) => w.logStartOffset > (w.reader().segments[0]?.baseOffset ?? 0)).map((w) => ({ topic: w.topic, partition: w.partition, offset: w.logStartOffset })),
    );
  }

  private ensureMetaProperties(): { clusterId: string; nodeId: number } {
    const file = path.join(this.dir, 'meta.properties');
    if (existsSync(file)) {
      const meta = parseMetaProperties(readFileSync(file, 'utf8'));
      return { clusterId: meta.clusterId ?? 'tapedeck-local', nodeId: meta.nodeId ?? 1 };
    }
    const clusterId = newTopicId();
    writeFileSync(file, `#Written by tapedeck\n#${new Date(this.now()).toString()}\nversion=1\ncluster.id=${clusterId}\nnode.id=1\n`);
    return { clusterId, nodeId: 1 };
  }
}

export type { AppendResult, LogRecord };
