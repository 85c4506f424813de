/**
 * The full-disk scenarios of full-disk.test.ts, run in a child process whose `<mount>` is a tiny
 * tmpfs (inside a user + mount namespace), so that ENOSPC is real:
 *
 *   node --import tsx full-disk-scenario.test-support.ts <mount> plain|roll
 *
 * `plain`: appends until the disk is full, checks what was acknowledged, frees space, appends on.
 * `roll`:  fills the disk exactly when the next append must roll the segment (the roll's new
 *          files and producer snapshot are what no longer fit), then frees space and appends a
 *          batch small enough not to roll, to a partition whose roll failed.
 *
 * Prints one JSON object (FullDiskReport) on stdout. Nothing is asserted here: the test does that.
 */
import { closeSync, openSync, readdirSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { RecordBatchV2 } from '../batch/record-batch';
import type { RecordToEncode } from '../batch/record-batch-encoder';
import { LogDirectory } from '../logdir/log-directory';
import { scanBatchHeaders } from '../segment/batch-scanner';
import { IndexBuilder } from '../segment/index-builder';
import { segmentFileName } from '../segment/log-segment';
import { SegmentFile } from '../segment/segment-file';
import { EngineError } from './engine-error';
import { type AppendResult, LogEngine } from './log-engine';

export interface AppendOutcome {
  readonly ok: boolean;
  readonly baseOffset?: number;
  readonly lastOffset?: number;
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
}

export interface PartitionCheck {
  /** Values read through the engine, `offset:value`, or the error reading threw. */
  readonly engineRead: string[] | string;
  /** The same through a fresh LogDirectory (CRCs verified), or the error. */
  readonly directoryRead: string[] | string;
  readonly directoryWarnings: string[];
  /** Batches whose CRC-32C does not verify, found by walking the `.log` files. */
  readonly badCrcs: string[];
  /** Index files that differ from IndexBuilder's rebuild of their segment. */
  readonly indexMismatches: string[];
}

export interface FullDiskReport {
  readonly scenario: string;
  readonly acknowledged: Record<string, string[]>;
  readonly appendsBeforeFull: number;
  readonly failure: AppendOutcome;
  readonly retryWhileFull: AppendOutcome;
  readonly endAfterFailure: Record<string, number>;
  readonly whileFull: Record<string, PartitionCheck>;
  readonly afterFree: AppendOutcome[];
  readonly closeError: string | undefined;
  readonly afterClose: Record<string, PartitionCheck>;
}

const [mount, scenario = 'plain'] = process.argv.slice(2);
if (!mount) throw new Error('usage: full-disk-scenario.test-support.ts <mount> plain|roll');
const logDir = path.join(mount, 'logs');
const INDEX_INTERVAL = 512;

/** Deterministic incompressible-looking bytes. */
let seed = 12345;
function bytes(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    out[i] = seed >>> 24;
  }
  return out;
}

const acknowledged: Record<string, string[]> = {};
let counter = 0;

function records(count: number, size: number): RecordToEncode[] {
  return Array.from({ length: count }, () => {
    const id = counter++;
    return { key: Buffer.from(`k${id}`), value: Buffer.concat([Buffer.from(`#${id}|`), bytes(size)]), timestamp: 1_700_000_000_000 + id };
  });
}

const fingerprint = (value: Buffer | null) => (value === null ? 'null' : `${value.subarray(0, value.indexOf('|')).toString()}/${value.length}/${value.readUInt32BE(value.length - 4)}`);

function append(engine: LogEngine, topic: string, batch: RecordToEncode[]): AppendOutcome {
  let result: AppendResult;
  try {
    result = engine.appendRecords(topic, 0, batch);
  } catch (error) {
    return { ok: false, name: (error as Error).name, code: error instanceof EngineError ? error.code : (error as NodeJS.ErrnoException).code, message: (error as Error).message };
  }
  const list = (acknowledged[topic] ??= []);
  batch.forEach((r, i) => list.push(`${result.baseOffset + i}:${fingerprint(r.value as Buffer)}`));
  return { ok: true, baseOffset: result.baseOffset, lastOffset: result.lastOffset };
}

function errorText(error: unknown): string {
  return `${(error as Error).name}: ${(error as Error).message}`;
}

function check(engine: LogEngine | undefined, topic: string): PartitionCheck {
  const partitionDir = path.join(logDir, `${topic}-0`);
  let engineRead: string[] | string;
  try {
    engineRead = engine ? engine.read(topic, 0, { fromOffset: engine.startOffset(topic, 0) }).map((r) => `${r.record.offset}:${fingerprint(r.record.value)}`) : [];
  } catch (error) {
    engineRead = errorText(error);
  }
  let directoryRead: string[] | string;
  let directoryWarnings: string[] = [];
  try {
    const dir = LogDirectory.open(logDir);
    try {
      const partition = dir.partition(topic, 0)!;
      directoryRead = [...partition.records({ fromOffset: 0 })].map((r) => `${r.record.offset}:${fingerprint(r.record.value)}`);
    } finally {
      directoryWarnings = dir.warnings.map((w) => `${path.basename(w.file)}@${w.position}: ${w.message}`);
      dir.close();
    }
  } catch (error) {
    directoryRead = errorText(error);
  }
  const badCrcs: string[] = [];
  const indexMismatches: string[] = [];
  const bases = readdirSync(partitionDir)
    .filter((f) => /^\d{20}\.log$/.test(f))
    .map((f) => Number(f.slice(0, 20)))
    .sort((a, b) => a - b);
  bases.forEach((base, i) => {
    const log = readFileSync(path.join(partitionDir, segmentFileName(base, '.log')));
    for (let pos = 0; pos + 12 <= log.length; ) {
      const size = log.readInt32BE(pos + 8) + 12;
      try {
        new RecordBatchV2(log.subarray(pos, pos + size), pos, `${topic}-0/${base}`).verifyChecksum();
      } catch (error) {
        badCrcs.push(`${base}@${pos}: ${(error as Error).message}`);
        break;
      }
      pos += size;
    }
    // Sealed segments (and the active one after close) carry the close-time entry.
    const sealed = i < bases.length - 1 || engine === undefined;
    const file = new SegmentFile(path.join(partitionDir, segmentFileName(base, '.log')));
    try {
      const builder = new IndexBuilder(base, INDEX_INTERVAL);
      for (const header of scanBatchHeaders(file, 0)) builder.add(header);
      const built = sealed ? builder.seal() : builder.build();
      if (!readFileSync(path.join(partitionDir, segmentFileName(base, '.index'))).equals(built.offsetIndex.toBuffer())) indexMismatches.push(`${base}.index`);
      if (!readFileSync(path.join(partitionDir, segmentFileName(base, '.timeindex'))).equals(built.timeIndex.toBuffer())) indexMismatches.push(`${base}.timeindex`);
    } catch (error) {
      indexMismatches.push(`${base}: ${errorText(error)}`);
    } finally {
      file.close();
    }
  });
  return { engineRead, directoryRead, directoryWarnings, badCrcs, indexMismatches };
}

/** Writes to `file` until the disk refuses; returns how many bytes fitted. */
function fillDisk(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(4096, 0x5a);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return written;
}

const ballast = path.join(mount, 'ballast');
const engine = LogEngine.open(logDir, { create: true, maintenanceIntervalMs: 0 });
const topics = scenario === 'roll' ? ['roll', 'other'] : ['fill'];
const endOf = () => Object.fromEntries(topics.map((t) => [t, engine.endOffset(t, 0)]));
let appendsBeforeFull = 0;
let failure: AppendOutcome = { ok: true };
let failing: RecordToEncode[] = [];

if (scenario === 'plain') {
  writeFileSync(ballast, Buffer.alloc(48 * 1024, 1));
  engine.createTopic('fill', { config: { 'segment.bytes': 24 * 1024, 'index.interval.bytes': INDEX_INTERVAL } });
  for (let i = 0; i < 10_000; i++) {
    const batch = records(1 + (i % 4), 300 + ((i * 389) % 900));
    const outcome = append(engine, 'fill', batch);
    if (!outcome.ok) {
      failure = outcome;
      failing = batch;
      break;
    }
    appendsBeforeFull++;
  }
} else {
  engine.createTopic('roll', { config: { 'segment.bytes': 4096, 'index.interval.bytes': 0 } });
  engine.createTopic('other', { config: { 'segment.bytes': 4096, 'index.interval.bytes': INDEX_INTERVAL } });
  append(engine, 'other', records(1, 200));
  // Two batches of ~1.5 KiB: the next one of that size must roll (3 KiB + 1.5 KiB > 4 KiB).
  append(engine, 'roll', records(1, 1500));
  append(engine, 'roll', records(1, 1500));
  appendsBeforeFull = 2;
  fillDisk(ballast);
  failing = records(1, 1500);
  failure = append(engine, 'roll', failing);
}

const endAfterFailure = endOf();
const retryWhileFull = failure.ok ? { ok: true } : append(engine, topics[0]!, failing);
const whileFull = Object.fromEntries(topics.map((t) => [t, check(engine, t)]));

unlinkSync(ballast);
const afterFree: AppendOutcome[] = [];
if (scenario === 'roll') {
  // Another partition rolls (and opens new segment files) before the partition whose roll failed is used again.
  engine.partitionWriter('other', 0).roll();
  afterFree.push(append(engine, 'roll', records(1, 100)));
  afterFree.push(append(engine, 'other', records(2, 100)));
  afterFree.push(append(engine, 'roll', records(1, 2000)));
} else {
  for (let i = 0; i < 12; i++) afterFree.push(append(engine, 'fill', records(2, 400)));
}

let closeError: string | undefined;
try {
  engine.close();
} catch (error) {
  closeError = errorText(error);
}
const afterClose = Object.fromEntries(topics.map((t) => [t, check(undefined, t)]));

const report: FullDiskReport = { scenario, acknowledged, appendsBeforeFull, failure, retryWhileFull, endAfterFailure, whileFull, afterFree, closeError, afterClose };
process.stdout.write(`${JSON.stringify(report)}\n`);
