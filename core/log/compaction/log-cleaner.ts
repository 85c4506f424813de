/**
 * Kafka-style log compaction of one partition's sealed segments (reference: kafka-format.md 4.3).
 *
 * Why the latest value of a key survives a stop at any point (the crash-safety argument):
 *
 * 1. Segments are cleaned in groups of adjacent segments, one group at a time, in offset order.
 *    A group's output is written in full as `<base>.log.cleaned` (+ `.index.cleaned`,
 *    `.timeindex.cleaned`) and fsynced before anything else happens to the group.
 * 2. The `.cleaned` files are renamed to `.swap`, the indexes first and the `.log` last. The rename
 *    of `<base>.log.swap` is the commit point: before it, no original file has been touched, and
 *    recovery throws the new files away (`.cleaned` files and `.swap` sets without a `.log.swap`),
 *    leaving the log exactly as it was.
 * 3. Only after the commit are the originals deleted, and then the `.swap` files renamed to their
 *    final names, the `.log` again last. Once `<base>.log.swap` exists it holds the complete cleaned
 *    group, so recovery completes the swap: it deletes the original at `<base>` and every original
 *    segment whose base lies inside the swap file's offsets, then renames. While `<base>.log.swap`
 *    exists, `<base>.index` without an `.index.swap` can only be the new index (step 3 renamed it),
 *    and with one it can only be the old, so recovery never confuses the two.
 * 4. A record is dropped only when a later record with the same key exists in the cleaned range
 *    (which is kept, or is itself dropped only for a later one, so the latest always stays), or
 *    when it is keyless, belongs to an aborted transaction, or is a tombstone whose delete horizon
 *    has passed. Groups commit in offset order, so after a stop the log is cleaned groups followed
 *    by untouched ones. A later group's expired tombstone is only dropped after every earlier group
 *    (cleaned with the same key map, so without that key's older values) has committed: no deleted
 *    key comes back. Original segments of the committed group that recovery does not delete (their
 *    base is past the swap file's last offset, so every one of their records was dropped) keep
 *    records that later records supersede; they are harmless and the next pass removes them.
 * 5. The caller advances the cleaner-offset checkpoint only after compactPartition returns, so an
 *    interrupted pass is simply run again.
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { BatchField } from '../batch/batch-layout';
import { writeInt64 } from '../batch/int64';
import type { LogBatch, LogRecord } from '../batch/log-record';
import { RecordBatchV2 } from '../batch/record-batch';
import { encodeRecordBatch, writeBatchCrc } from '../batch/record-batch-encoder';
import { CompressionCodec } from '../compression/compression-codec';
import { LogFormatError, type LogWarning } from '../errors';
import { parseV2Header } from '../segment/batch-header';
import { scanBatchHeaders, scanBatches, type ScanOptions } from '../segment/batch-scanner';
import { DEFAULT_INDEX_INTERVAL_BYTES, IndexBuilder } from '../segment/index-builder';
import { segmentFileName } from '../segment/log-segment';
import { SegmentFile } from '../segment/segment-file';
import type { CompactionConfig } from './compaction-config';

/** The steps of cleaning one group, in order; `stopAfter` may stop after any of them. */
export type CleanerPhase =
  /** The group's `.cleaned` files are written and fsynced. */
  | 'cleaned'
  /** The index files are renamed to `.swap`; the `.log` is not yet (the swap is not committed). */
  | 'swap-indexes'
  /** `<base>.log.swap` exists: the swap is committed. */
  | 'swapped'
  /** One original segment's files are deleted (`segment` says which). */
  | 'original-deleted'
  | 'originals-deleted'
  /** The index `.swap` files carry their final names; the `.log` does not yet. */
  | 'final-indexes'
  | 'done';

export interface CleanerStep {
  /** Index of the group in this pass, from 0. */
  readonly group: number;
  /** The group's base offset: the name of its output segment. */
  readonly baseOffset: number;
  readonly phase: CleanerPhase;
  /** For 'original-deleted': the base offset of the segment just deleted. */
  readonly segment?: number;
}

export interface CompactionOptions {
  /** The clock, in milliseconds since the epoch: delete horizons and the compaction lag are measured from it. */
  readonly now: number;
  readonly config: CompactionConfig;
  /** The cleaner-offset checkpoint: records at or after it are dirty. Defaults to the log start. */
  readonly firstDirtyOffset?: number;
  /**
   * Called after every step of every group; returning true stops the pass right there, as a crash
   * would (CompactionStoppedError is thrown and no file is tidied). For testing crash safety.
   */
  readonly stopAfter?: (step: CleanerStep) => boolean;
}

export interface CompactionReport {
  /** How many original segments were recopied. */
  readonly segmentsCleaned: number;
  /** Their base offsets. */
  readonly cleanedSegments: readonly number[];
  /** Base offsets of the segments that replaced them (fewer when small ones were merged). */
  readonly outputSegments: readonly number[];
  /** Records (data and control) in the cleaned segments before and after. */
  readonly recordsBefore: number;
  readonly recordsAfter: number;
  /** Bytes of the cleaned segments' `.log` files before and after. */
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /** Tombstones dropped, because a later record has the key or because their delete horizon passed. */
  readonly tombstonesRemoved: number;
  readonly keylessRecordsRemoved: number;
  readonly abortedRecordsRemoved: number;
  /** COMMIT/ABORT marker batches dropped (their transaction's data is gone and their horizon passed). */
  readonly markersRemoved: number;
  /** Batches stamped with a delete horizon in this pass (they keep tombstones or an empty transaction's marker). */
  readonly deleteHorizonsSet: number;
  /** The new cleaner-offset checkpoint: the offset after the last cleaned segment. */
  readonly firstDirtyOffset: number;
}

/** Thrown when `stopAfter` asked to stop: the directory is left as a crash at that step would leave it. */
export class CompactionStoppedError extends Error {
  constructor(readonly step: CleanerStep) {
    super(`compaction stopped after step '${step.phase}' of group ${step.group} (segment ${step.baseOffset})`);
    this.name = 'CompactionStoppedError';
  }
}

const SEGMENT_FILE = /^(\d{20})(\.log|\.index|\.timeindex|\.txnindex)$/;
const SWAP_FILE = /^(\d{20})(\.log|\.index|\.timeindex|\.txnindex)\.swap$/;
const SEGMENT_SUFFIXES = ['.log', '.index', '.timeindex', '.txnindex'] as const;
type SegmentSuffix = (typeof SEGMENT_SUFFIXES)[number];
const INT32_MAX = 0x7fffffff;

/** What one header pass over a segment learns. */
interface SegmentInfo {
  readonly baseOffset: number;
  readonly file: SegmentFile;
  readonly size: number;
  /** -1 when the segment holds no batch. */
  readonly lastOffset: number;
  readonly lastBatchBase: number | undefined;
  /** Kafka's LogSegment.largestTimestamp: the largest batch timestamp, else the file's mtime. */
  readonly largestTimestamp: number;
}

/** How each transaction in the sealed segments ended. */
interface Transactions {
  /** Base offsets of data batches whose transaction was aborted. */
  readonly abortedBatches: ReadonlySet<number>;
  /** First offset of the earliest transaction with no marker in the sealed segments (the LSO bound). */
  readonly firstOpenOffset: number | undefined;
}

interface Counters {
  recordsBefore: number;
  recordsAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  tombstonesRemoved: number;
  keylessRecordsRemoved: number;
  abortedRecordsRemoved: number;
  markersRemoved: number;
  deleteHorizonsSet: number;
}

/** Everything the recopy of a batch needs to know beyond the batch. */
interface CleaningContext {
  readonly now: number;
  readonly deleteHorizonMs: number;
  readonly offsetMap: ReadonlyMap<string, number>;
  readonly transactions: Transactions;
  /** Base offset of the last batch of the cleaned range: kept even if emptied, so the log end offset stays. */
  readonly lastBatchBase: number | undefined;
  /** Per producer: whether its current transaction kept any record in this pass. */
  readonly openTransactionKeptData: Map<number, boolean>;
  readonly counters: Counters;
}

/**
 * Compacts the sealed segments of the partition in `dir` (never pass the active segment). The
 * cleaned range runs from the partition's first segment, which must be among `sealedBaseOffsets`,
 * through the sealed segments in offset order, and stops before the first segment that is not
 * sealed, that holds dirty records newer than `minCompactionLagMs`, or that holds the start of a
 * transaction with no marker yet. Nothing else may write to or delete from the directory meanwhile.
 */
export function compactPartition(dir: string, sealedBaseOffsets: readonly number[], options: CompactionOptions): CompactionReport {
  const { now, config } = options;
  refuseLeftovers(dir);
  const bases = listSegmentBases(dir);
  const sealed = new Set(sealedBaseOffsets);
  for (const base of sealed) {
    if (!bases.includes(base)) throw new Error(`${path.join(dir, segmentFileName(base, '.log'))}: no such segment to compact`);
  }
  const first = bases[0];
  const logStart = first ?? 0;
  const firstDirty = Math.max(options.firstDirtyOffset ?? logStart, logStart);
  const counters: Counters = {
    recordsBefore: 0,
    recordsAfter: 0,
    bytesBefore: 0,
    bytesAfter: 0,
    tombstonesRemoved: 0,
    keylessRecordsRemoved: 0,
    abortedRecordsRemoved: 0,
    markersRemoved: 0,
    deleteHorizonsSet: 0,
  };
  const nothingDone = (): CompactionReport => ({ ...counters, segmentsCleaned: 0, cleanedSegments: [], outputSegments: [], firstDirtyOffset: firstDirty });
  if (sealed.size === 0 || first === undefined) return nothingDone();
  if (!sealed.has(first)) {
    // Dropping a record needs every older record of its key (and every record of a transaction
    // whose marker goes) to be cleaned in the same pass, which only holds from the log start.
    throw new Error(`${path.join(dir, segmentFileName(first, '.log'))}: compaction cleans from the partition's first segment, which is not among the sealed segments given`);
  }

  const sealedRun: SegmentInfo[] = [];
  try {
    for (const base of bases) {
      if (!sealed.has(base)) break;
      sealedRun.push(inspectSegment(dir, base));
    }
    const transactions = classifyTransactions(sealedRun);
    const cleanable = sealedRun.slice(0, cleanableCount(sealedRun, firstDirty, transactions, options));
    if (cleanable.length === 0) return nothingDone();
    const after = bases[cleanable.length];
    const lastCleanable = cleanable[cleanable.length - 1]!;
    const endOffset = after ?? Math.max(lastCleanable.lastOffset + 1, lastCleanable.baseOffset);

    const context: CleaningContext = {
      now,
      deleteHorizonMs: now + config.deleteRetentionMs,
      offsetMap: buildOffsetMap(cleanable, firstDirty, transactions),
      transactions,
      lastBatchBase: [...cleanable].reverse().find((s) => s.lastBatchBase !== undefined)?.lastBatchBase,
      openTransactionKeptData: new Map(),
      counters,
    };
    const groups = groupBySize(cleanable, config.maxSegmentBytes);
    const outputSegments: number[] = [];
    groups.forEach((group, index) => {
      cleanGroup(dir, group, index, context, options);
      outputSegments.push(group[0]!.baseOffset);
    });
    return {
      ...counters,
      segmentsCleaned: cleanable.length,
      cleanedSegments: cleanable.map((s) => s.baseOffset),
      outputSegments,
      firstDirtyOffset: Math.max(firstDirty, endOffset),
    };
  } finally {
    for (const segment of sealedRun) segment.file.close();
  }
}

/**
 * Finishes or undoes an interrupted compaction, as a broker does when it loads a log: deletes
 * `.cleaned` files, deletes `.swap` sets that never reached their commit point (no
 * `<base>.log.swap`), and completes committed swaps (deleting the originals they replace, then
 * renaming). Returns what it did, one line per action; empty when there was nothing to do.
 */
export function recoverCompaction(dir: string, options: { indexIntervalBytes?: number } = {}): string[] {
  const actions: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.cleaned')) continue;
    unlinkSync(path.join(dir, name));
    actions.push(`deleted ${name}: an unfinished cleaning`);
  }
  const swaps = new Map<number, Set<string>>();
  for (const name of readdirSync(dir).sort()) {
    const match = SWAP_FILE.exec(name);
    if (!match) continue;
    const base = Number(match[1]);
    const suffixes = swaps.get(base) ?? new Set<string>();
    suffixes.add(match[2]!);
    swaps.set(base, suffixes);
  }
  for (const [base, suffixes] of [...swaps].sort(([a], [b]) => a - b)) {
    if (!suffixes.has('.log')) {
      for (const suffix of suffixes) {
        const name = `${segmentFileName(base, suffix as SegmentSuffix)}.swap`;
        unlinkSync(path.join(dir, name));
        actions.push(`deleted ${name}: its swap was never committed (no .log.swap), so the original segments are intact`);
      }
      continue;
    }
    const swapLog = path.join(dir, `${segmentFileName(base, '.log')}.swap`);
    const end = logEndOffset(swapLog, base);
    const replaced: number[] = [];
    for (const original of listSegmentFileBases(dir)) {
      if (original !== base && (original <= base || original >= end)) continue;
      replaced.push(original);
      for (const suffix of SEGMENT_SUFFIXES) {
        // At the swap's own base an index without a `.swap` beside it was already renamed into place.
        if (original === base && (suffix === '.index' || suffix === '.timeindex') && !suffixes.has(suffix)) continue;
        removeIfPresent(path.join(dir, segmentFileName(original, suffix)));
      }
    }
    fsyncDirectory(dir);
    for (const suffix of ['.txnindex', '.index', '.timeindex', '.log'] as const) {
      if (suffixes.has(suffix)) renameSync(path.join(dir, `${segmentFileName(base, suffix)}.swap`), path.join(dir, segmentFileName(base, suffix)));
    }
    if (!existsSync(path.join(dir, segmentFileName(base, '.index'))) || !existsSync(path.join(dir, segmentFileName(base, '.timeindex')))) {
      rebuildIndexFiles(dir, base, options.indexIntervalBytes ?? DEFAULT_INDEX_INTERVAL_BYTES);
    }
    fsyncDirectory(dir);
    actions.push(`completed the swap of ${segmentFileName(base, '.log')}: replaced segment${replaced.length === 1 ? '' : 's'} ${replaced.join(', ') || 'none'}`);
  }
  return actions;
}

// ---------------------------------------------------------------------------------------------
// Planning: which segments are cleanable, which transactions aborted, the key -> offset map.

function listSegmentBases(dir: string): number[] {
  return readdirSync(dir)
    .map((name) => /^(\d{20})\.log$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** Bases of every segment file, including index files whose `.log` is already gone. */
function listSegmentFileBases(dir: string): number[] {
  const bases = new Set<number>();
  for (const name of readdirSync(dir)) {
    const match = SEGMENT_FILE.exec(name);
    if (match) bases.add(Number(match[1]));
  }
  return [...bases].sort((a, b) => a - b);
}

function refuseLeftovers(dir: string): void {
  const leftovers = readdirSync(dir).filter((name) => name.endsWith('.cleaned') || SWAP_FILE.test(name));
  if (leftovers.length > 0) {
    throw new Error(`${dir}: an interrupted compaction left ${leftovers.join(', ')}; run recoverCompaction on the directory first`);
  }
}

/** Sealed segments have been recovered, so a torn or zero-filled tail here is damage, not a crash to tolerate. */
const strictScan: ScanOptions = {
  onWarning: (warning: LogWarning) => {
    throw new LogFormatError(warning, `cannot compact this segment: ${warning.message}`);
  },
};

function inspectSegment(dir: string, baseOffset: number): SegmentInfo {
  const logPath = path.join(dir, segmentFileName(baseOffset, '.log'));
  const file = new SegmentFile(logPath);
  try {
    let lastOffset = -1;
    let lastBatchBase: number | undefined;
    let largest = -1;
    for (const header of scanBatchHeaders(file, 0, strictScan)) {
      lastOffset = header.lastOffset;
      lastBatchBase = header.baseOffset;
      largest = Math.max(largest, header.maxTimestamp);
    }
    const largestTimestamp = largest >= 0 ? largest : statSync(logPath).mtimeMs;
    return { baseOffset, file, size: file.size, lastOffset, lastBatchBase, largestTimestamp };
  } catch (error) {
    file.close();
    throw error;
  }
}

/**
 * Follows each producer's transactions through the sealed segments: a transactional data batch
 * belongs to its producer's open transaction, which the producer's next COMMIT or ABORT marker ends.
 */
function classifyTransactions(segments: readonly SegmentInfo[]): Transactions {
  const open = new Map<number, { firstOffset: number; batches: number[] }>();
  const abortedBatches = new Set<number>();
  for (const segment of segments) {
    for (const header of scanBatchHeaders(segment.file, 0, strictScan)) {
      if (!header.isTransactional || header.magic !== 2) continue;
      if (!header.isControl) {
        const txn = open.get(header.producerId) ?? { firstOffset: header.baseOffset, batches: [] };
        txn.batches.push(header.baseOffset);
        open.set(header.producerId, txn);
        continue;
      }
      const type = markerType(segment.file, header.position);
      if (type === undefined) continue;
      const txn = open.get(header.producerId);
      if (txn && type === 'ABORT') for (const base of txn.batches) abortedBatches.add(base);
      open.delete(header.producerId);
    }
  }
  const firstOpen = [...open.values()].map((t) => t.firstOffset);
  return { abortedBatches, firstOpenOffset: firstOpen.length ? Math.min(...firstOpen) : undefined };
}

/** 'COMMIT' or 'ABORT' for a transaction marker batch at `position`; undefined for other control batches. */
function markerType(file: SegmentFile, position: number): 'COMMIT' | 'ABORT' | undefined {
  const batch = scanBatches(file, position, strictScan).next().value;
  if (!(batch instanceof RecordBatchV2) || batch.recordCount === 0) return undefined;
  const type = batch.controlType();
  return type === 'COMMIT' || type === 'ABORT' ? type : undefined;
}

/** How many of the sealed segments, from the first, may be cleaned now (reference 4.3, cleanable range). */
function cleanableCount(segments: readonly SegmentInfo[], firstDirty: number, transactions: Transactions, options: CompactionOptions): number {
  let count = segments.length;
  // The last stable offset bound: a transaction without its marker may still abort.
  if (transactions.firstOpenOffset !== undefined) {
    const holding = segments.findIndex((s, i) => (segments[i + 1]?.baseOffset ?? Infinity) > transactions.firstOpenOffset!);
    if (holding >= 0) count = Math.min(count, holding);
  }
  // As Kafka: only dirty segments are held back by the lag, and a lag of 0 holds nothing back.
  const lag = options.config.minCompactionLagMs;
  if (lag > 0) {
    for (let i = 0; i < count; i++) {
      const segment = segments[i]!;
      const end = segments[i + 1]?.baseOffset ?? Infinity;
      if (end <= firstDirty) continue;
      if (segment.largestTimestamp > options.now - lag) {
        count = i;
        break;
      }
    }
  }
  return count;
}

/**
 * key -> offset of its last record in the dirty part of the cleanable range. Keys are held whole
 * (latin1 maps bytes to characters one to one), not hashed as Kafka's fixed-size map does, so two
 * keys never collide and the map never fills before the range ends: Kafka's "records past the end
 * of the map are kept" case cannot arise.
 */
function buildOffsetMap(segments: readonly SegmentInfo[], firstDirty: number, transactions: Transactions): Map<string, number> {
  const map = new Map<string, number>();
  for (const segment of segments) {
    if (segment.lastOffset < firstDirty) continue;
    for (const batch of scanBatches(segment.file, 0, strictScan)) {
      // Aborted writes must not supersede committed values; markers have no data key.
      if (batch.lastOffset < firstDirty || batch.isControl || transactions.abortedBatches.has(batch.baseOffset)) continue;
      for (const record of batch.records()) {
        if (record.offset >= firstDirty && record.key !== null) map.set(keyOf(record.key), record.offset);
      }
    }
  }
  return map;
}

function keyOf(key: Buffer): string {
  return key.toString('latin1');
}

/**
 * Adjacent segments whose `.log` sizes add up to at most `maxBytes`, as Kafka groups them before
 * cleaning (by the sizes before cleaning, so the merged output cannot exceed a segment), and whose
 * offsets all fit the int32 relative offsets of one segment's index.
 */
function groupBySize(segments: readonly SegmentInfo[], maxBytes: number): SegmentInfo[][] {
  const groups: SegmentInfo[][] = [];
  let current: SegmentInfo[] = [];
  let bytes = 0;
  for (const segment of segments) {
    const head = current[0];
    const fits = head !== undefined && bytes + segment.size <= maxBytes && Math.max(segment.lastOffset, segment.baseOffset) - head.baseOffset <= INT32_MAX;
    if (!fits && current.length > 0) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(segment);
    bytes += segment.size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

// ---------------------------------------------------------------------------------------------
// Recopying: one group of segments into `<base>.log.cleaned`, then the swap.

function cleanGroup(dir: string, group: readonly SegmentInfo[], index: number, context: CleaningContext, options: CompactionOptions): void {
  const base = group[0]!.baseOffset;
  const step = (phase: CleanerPhase, segment?: number) => {
    const at: CleanerStep = segment === undefined ? { group: index, baseOffset: base, phase } : { group: index, baseOffset: base, phase, segment };
    if (options.stopAfter?.(at)) throw new CompactionStoppedError(at);
  };
  const output = new CleanedSegmentWriter(dir, base, options.config.indexIntervalBytes);
  try {
    for (const segment of group) {
      context.counters.bytesBefore += segment.size;
      for (const batch of scanBatches(segment.file, 0, strictScan)) {
        const cleaned = cleanBatch(batch, segment.file, context);
        if (cleaned) output.append(cleaned, batch);
      }
    }
    context.counters.bytesAfter += output.finish();
  } catch (error) {
    output.abandon();
    throw error;
  }
  step('cleaned');

  const final = (suffix: '.log' | '.index' | '.timeindex') => path.join(dir, segmentFileName(base, suffix));
  renameSync(`${final('.index')}.cleaned`, `${final('.index')}.swap`);
  renameSync(`${final('.timeindex')}.cleaned`, `${final('.timeindex')}.swap`);
  fsyncDirectory(dir);
  step('swap-indexes');
  renameSync(`${final('.log')}.cleaned`, `${final('.log')}.swap`);
  fsyncDirectory(dir);
  step('swapped');

  for (const segment of group) {
    segment.file.close();
    for (const suffix of SEGMENT_SUFFIXES) removeIfPresent(path.join(dir, segmentFileName(segment.baseOffset, suffix)));
    step('original-deleted', segment.baseOffset);
  }
  fsyncDirectory(dir);
  step('originals-deleted');

  renameSync(`${final('.index')}.swap`, final('.index'));
  renameSync(`${final('.timeindex')}.swap`, final('.timeindex'));
  step('final-indexes');
  renameSync(`${final('.log')}.swap`, final('.log'));
  fsyncDirectory(dir);
  step('done');
}

/**
 * The bytes to write for `batch`, or undefined to drop it. A batch that keeps every record and
 * needs no delete horizon is copied as it is; otherwise its survivors are re-encoded with the
 * batch's offsets, producer fields, codec and timestamp type.
 */
function cleanBatch(batch: LogBatch, file: SegmentFile, context: CleaningContext): Buffer | undefined {
  const { counters } = context;
  counters.recordsBefore += batch.recordCount;
  if (!(batch instanceof RecordBatchV2)) return cleanLegacyMessage(batch, file, context);
  if (batch.isControl) return cleanControlBatch(batch, context);

  const records = batch.records();
  if (records.length === 0) return keepIfLast(batch, context);
  const aborted = batch.isTransactional && context.transactions.abortedBatches.has(batch.baseOffset);
  const kept = aborted ? [] : records.filter((record) => keepRecord(record, batch, context));
  if (aborted) counters.abortedRecordsRemoved += records.length;
  if (batch.isTransactional && !aborted) {
    const keptBefore = context.openTransactionKeptData.get(batch.producerId) ?? false;
    context.openTransactionKeptData.set(batch.producerId, keptBefore || kept.length > 0);
  }
  counters.recordsAfter += kept.length;

  const needsHorizon = !batch.hasDeleteHorizon && kept.some((r) => r.value === null);
  if (kept.length === records.length && !needsHorizon) return batch.bytes;
  if (kept.length === 0) return keepIfLast(batch, context);
  if (needsHorizon) counters.deleteHorizonsSet++;
  return reencode(batch, kept, needsHorizon ? context.deleteHorizonMs : batch.hasDeleteHorizon ? batch.deleteHorizonMs : undefined);
}

/**
 * A legacy (magic 0/1) entry. An uncompressed one holds one record and is dropped when keyless or
 * superseded. Tombstones stay: Kafka times legacy deletes by segment mtimes, not a stored horizon,
 * and keeping a tombstone is always safe. A compressed wrapper is copied whole (re-encoding old
 * wrappers is not worth it for logs that predate 2017), as is the range's last entry, which cannot
 * be emptied in place.
 */
function cleanLegacyMessage(batch: LogBatch, file: SegmentFile, context: CleaningContext): Buffer | undefined {
  const { counters } = context;
  const [record] = batch.compression === CompressionCodec.None ? batch.records() : [];
  if (record && batch.baseOffset !== context.lastBatchBase) {
    const latest = record.key === null ? undefined : context.offsetMap.get(keyOf(record.key));
    if (record.key === null || (latest !== undefined && record.offset < latest)) {
      if (record.key === null) counters.keylessRecordsRemoved++;
      if (record.value === null) counters.tombstonesRemoved++;
      return undefined;
    }
  }
  counters.recordsAfter += batch.recordCount;
  return file.read(batch.position, batch.sizeInBytes);
}

function keepRecord(record: LogRecord, batch: RecordBatchV2, context: CleaningContext): boolean {
  const { counters } = context;
  if (record.key === null) {
    // A compacted topic cannot hold keyless records (Kafka rejects them on produce); drop as invalid.
    counters.keylessRecordsRemoved++;
    if (record.value === null) counters.tombstonesRemoved++;
    return false;
  }
  const latest = context.offsetMap.get(keyOf(record.key));
  const superseded = latest !== undefined && record.offset < latest;
  const expiredTombstone = record.value === null && batch.hasDeleteHorizon && context.now >= batch.deleteHorizonMs;
  if (superseded || expiredTombstone) {
    if (record.value === null) counters.tombstonesRemoved++;
    return false;
  }
  return true;
}

/**
 * A COMMIT or ABORT marker stays while its transaction still has records in the log; once they are
 * gone it gets a delete horizon, and a later pass past the horizon drops it (Kafka's rule).
 */
function cleanControlBatch(batch: RecordBatchV2, context: CleaningContext): Buffer | undefined {
  const { counters } = context;
  const records = batch.records();
  if (records.length === 0) return keepIfLast(batch, context);
  const type = batch.controlType();
  if (type !== 'COMMIT' && type !== 'ABORT') {
    counters.recordsAfter += records.length;
    return batch.bytes;
  }
  const transactionEmpty = !(context.openTransactionKeptData.get(batch.producerId) ?? false);
  context.openTransactionKeptData.delete(batch.producerId);
  if (!transactionEmpty) {
    counters.recordsAfter += records.length;
    return batch.bytes;
  }
  if (batch.hasDeleteHorizon && context.now >= batch.deleteHorizonMs) {
    counters.markersRemoved++;
    return keepIfLast(batch, context);
  }
  counters.recordsAfter += records.length;
  if (batch.hasDeleteHorizon) return batch.bytes;
  counters.deleteHorizonsSet++;
  return reencode(batch, records, context.deleteHorizonMs);
}

/**
 * Surviving records in a batch with the original's header facts. With a delete horizon the base
 * timestamp holds the horizon and encodeRecordBatch stores each record's delta from it, so record
 * timestamps still read back as they were written.
 */
function reencode(batch: RecordBatchV2, records: readonly LogRecord[], deleteHorizonMs: number | undefined): Buffer {
  return encodeRecordBatch({
    baseOffset: batch.baseOffset,
    records: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offsetDelta: r.offset - batch.baseOffset })),
    compression: batch.compression,
    timestampType: batch.timestampType === 'LogAppendTime' ? 'LogAppendTime' : 'CreateTime',
    logAppendTime: batch.maxTimestamp,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    isTransactional: batch.isTransactional,
    isControl: batch.isControl,
    ...(deleteHorizonMs === undefined ? {} : { deleteHorizonMs }),
    lastOffsetDelta: batch.lastOffset - batch.baseOffset,
  });
}

/**
 * Kafka's RETAIN_EMPTY rule for the end of the cleaned range: a batch left without records is
 * dropped, unless it is the range's last batch, whose offsets hold the log end offset in place.
 */
function keepIfLast(batch: RecordBatchV2, context: CleaningContext): Buffer | undefined {
  if (batch.baseOffset !== context.lastBatchBase) return undefined;
  return batch.recordCount === 0 ? batch.bytes : emptyBatch(batch);
}

/**
 * A batch with no records that keeps the original's offsets, producer fields and max timestamp,
 * uncompressed, as Kafka writes the header of an emptied batch it must retain: the log end offset
 * and the segment's largest timestamp stay what they were.
 */
function emptyBatch(batch: RecordBatchV2): Buffer {
  const bytes = encodeRecordBatch({
    baseOffset: batch.baseOffset,
    records: [],
    compression: CompressionCodec.None,
    timestampType: batch.timestampType === 'LogAppendTime' ? 'LogAppendTime' : 'CreateTime',
    logAppendTime: batch.maxTimestamp,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    isTransactional: batch.isTransactional,
    isControl: batch.isControl,
    lastOffsetDelta: batch.lastOffset - batch.baseOffset,
  });
  writeInt64(bytes, batch.maxTimestamp, BatchField.baseTimestamp);
  writeInt64(bytes, batch.maxTimestamp, BatchField.maxTimestamp);
  writeBatchCrc(bytes);
  return bytes;
}

/** `<base>.log.cleaned` written as batches arrive, with its indexes built over the new positions. */
class CleanedSegmentWriter {
  private readonly logPath: string;
  private readonly indexPath: string;
  private readonly timeIndexPath: string;
  private fd: number | undefined;
  private position = 0;
  private readonly indexes: IndexBuilder;

  constructor(dir: string, baseOffset: number, indexIntervalBytes: number) {
    this.logPath = `${path.join(dir, segmentFileName(baseOffset, '.log'))}.cleaned`;
    this.indexPath = `${path.join(dir, segmentFileName(baseOffset, '.index'))}.cleaned`;
    this.timeIndexPath = `${path.join(dir, segmentFileName(baseOffset, '.timeindex'))}.cleaned`;
    this.indexes = new IndexBuilder(baseOffset, indexIntervalBytes);
    this.fd = openSync(this.logPath, 'w');
  }

  append(bytes: Buffer, original: LogBatch): void {
    // A rewritten batch's max timestamp may differ from the original's: index what is written.
    const header =
      original instanceof RecordBatchV2
        ? parseV2Header(bytes, this.position)
        : { position: this.position, sizeInBytes: bytes.length, lastOffset: original.lastOffset, maxTimestamp: original.maxTimestamp };
    this.indexes.add(header);
    writeFully(this.fd!, bytes);
    this.position += bytes.length;
  }

  /** Flushes and closes everything; returns the size of the new `.log`. */
  finish(): number {
    fsyncSync(this.fd!);
    closeSync(this.fd!);
    this.fd = undefined;
    const { offsetIndex, timeIndex } = this.indexes.seal();
    writeDurably(this.indexPath, offsetIndex.toBuffer());
    writeDurably(this.timeIndexPath, timeIndex.toBuffer());
    return this.position;
  }

  abandon(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    for (const file of [this.logPath, this.indexPath, this.timeIndexPath]) removeIfPresent(file);
  }
}

// ---------------------------------------------------------------------------------------------
// File helpers.

function writeFully(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

function writeDurably(file: string, bytes: Buffer): void {
  const fd = openSync(file, 'w');
  try {
    writeFully(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function removeIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Makes renames and deletions durable. Windows cannot open a directory for fsync; there it is skipped. */
function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function logEndOffset(logPath: string, baseOffset: number): number {
  const file = new SegmentFile(logPath);
  try {
    let end = baseOffset;
    for (const header of scanBatchHeaders(file, 0, strictScan)) end = header.lastOffset + 1;
    return end;
  } finally {
    file.close();
  }
}

function rebuildIndexFiles(dir: string, baseOffset: number, indexIntervalBytes: number): void {
  const file = new SegmentFile(path.join(dir, segmentFileName(baseOffset, '.log')));
  try {
    const builder = new IndexBuilder(baseOffset, indexIntervalBytes);
    for (const header of scanBatchHeaders(file, 0, strictScan)) builder.add(header);
    const { offsetIndex, timeIndex } = builder.seal();
    writeDurably(path.join(dir, segmentFileName(baseOffset, '.index')), offsetIndex.toBuffer());
    writeDurably(path.join(dir, segmentFileName(baseOffset, '.timeindex')), timeIndex.toBuffer());
  } finally {
    file.close();
  }
}
