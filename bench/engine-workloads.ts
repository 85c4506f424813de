/**
 * The workloads of the `engine` benchmark suite (engine-suite.ts), each beside a raw `fs` baseline
 * doing the same I/O with length-prefixed records. Each step runs in its own child process
 *
 *   node bin/run-ts.mjs bench/engine-workloads.ts <step> <work dir>
 *
 * so that its peak memory is its own, and prints its BenchResults as JSON lines on stdout.
 * Figures are throughputs of record payload (key, value, timestamp: 124 bytes a record), so the
 * MB/s ratio is the records/s ratio and the two sides are compared on the same work.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { LogEngine } from '../core/log/engine/log-engine';
import { decodeRaw, encodeRaw, KEY_BYTES, MB, RecordPool, resultPair, scanRaw, VALUE_BYTES } from './engine-bench-data';
import { runGroupWorkload } from './engine-group-workload';
import { type BenchResult, RssPeak } from './measure';

const TOPIC = 'bench';
/** Timed runs per figure, after one warm-up run; the median is kept. */
const RUNS = 3;

const W1_RECORDS = 1_000_000;
const W1_BATCH = 1000;
const W2_RECORDS = 100_000;
const W2_BATCH = 100;
const W4_READS = 10_000;
const MEMORY_LOG_RECORDS = 200_000;

/** Where each step leaves or finds its data inside the work dir. */
const paths = (work: string) => ({
  log1M: path.join(work, 'log-1m'),
  raw1M: path.join(work, 'raw-1m.bin'),
  log200k: path.join(work, 'log-200k'),
  scratch: path.join(work, 'scratch'),
});

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Warm-up, then RUNS timed runs; `run` returns the seconds of its timed part. */
function medianRun(run: (index: number) => number): number {
  run(-1);
  return median(Array.from({ length: RUNS }, (_, i) => run(i)));
}

function writeFully(fd: number, bytes: Buffer): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

// ---- writing ----

/** Appends `records` in batches through the engine; `fsyncEach` makes the topic flush.messages=1. */
function appendWithEngine(dir: string, pool: RecordPool, records: number, batch: number, fsyncEach: boolean, rss: RssPeak): number {
  const engine = LogEngine.open(dir, { create: true, maintenanceIntervalMs: 0 });
  try {
    engine.createTopic(TOPIC, { partitions: 1, config: fsyncEach ? { 'flush.messages': 1 } : {} });
    const now = Date.now();
    const start = process.hrtime.bigint();
    for (let first = 0, n = 0; first < records; first += batch, n++) {
      engine.appendRecords(TOPIC, 0, pool.batch(first, batch, now + first));
      if (n % 16 === 0) rss.sample();
    }
    if (!fsyncEach) engine.flush();
    return seconds(start);
  } finally {
    engine.close();
  }
}

/** The same records, batches and fsyncs into one file of length-prefixed records. */
function appendRaw(file: string, pool: RecordPool, records: number, batch: number, fsyncEach: boolean, rss: RssPeak): number {
  const fd = openSync(file, 'w');
  try {
    const now = Date.now();
    const start = process.hrtime.bigint();
    for (let first = 0, n = 0; first < records; first += batch, n++) {
      writeFully(fd, encodeRaw(pool.batch(first, batch, now + first)));
      if (fsyncEach) fsyncSync(fd);
      if (n % 16 === 0) rss.sample();
    }
    if (!fsyncEach) fsyncSync(fd);
    return seconds(start);
  } finally {
    closeSync(fd);
  }
}

/**
 * W1 and W2: engine and baseline runs alternate (so page-cache writeback and a busy core hit both
 * alike), each into a fresh directory or file. W1 keeps its last log and raw file for W3 and W4.
 */
function writeWorkload(work: string, workload: string, records: number, batch: number, fsyncEach: boolean, target: number): BenchResult[] {
  const pool = new RecordPool();
  const scratch = paths(work).scratch;
  const rss = new RssPeak();
  // The baseline samples memory as often as the engine's loop does, so both do the same extra work.
  const rawRss = new RssPeak();
  const engineTimes: number[] = [];
  const rawTimes: number[] = [];
  for (let run = -1; run < RUNS; run++) {
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    const logDir = path.join(scratch, 'log');
    const rawFile = path.join(scratch, 'raw.bin');
    const engineSeconds = appendWithEngine(logDir, pool, records, batch, fsyncEach, rss);
    const rawSeconds = appendRaw(rawFile, pool, records, batch, fsyncEach, rawRss);
    if (run < 0) continue;
    engineTimes.push(engineSeconds);
    rawTimes.push(rawSeconds);
    if (run === RUNS - 1 && !fsyncEach) {
      rmSync(paths(work).log1M, { recursive: true, force: true });
      renameSync(logDir, paths(work).log1M);
      renameSync(rawFile, paths(work).raw1M);
    }
  }
  rmSync(scratch, { recursive: true, force: true });
  return resultPair(workload, records, median(engineTimes), median(rawTimes), rss, { ratio: target });
}

// ---- reading ----

/** A consumer's poll loop over the whole partition: 1 MiB fetches, every key and value taken. */
function scanWithEngine(engine: LogEngine, rss: RssPeak): { records: number; touched: number } {
  let next = engine.startOffset(TOPIC, 0);
  const end = engine.endOffset(TOPIC, 0);
  let records = 0;
  let touched = 0;
  let polls = 0;
  while (next < end) {
    const polled = engine.read(TOPIC, 0, { fromOffset: next, maxBytes: MB });
    for (const { record } of polled) touched += record.key!.length + record.value!.length;
    records += polled.length;
    next = polled[polled.length - 1]!.record.offset + 1;
    if (++polls % 8 === 0) rss.sample();
  }
  return { records, touched };
}

function scanWorkload(work: string): BenchResult[] {
  const { log1M, raw1M } = paths(work);
  const expectTouched = (what: string, got: { records: number; touched: number }) => {
    if (got.records !== W1_RECORDS || got.touched !== W1_RECORDS * (KEY_BYTES + VALUE_BYTES)) throw new Error(`${what} scanned ${got.records} records (${got.touched} bytes)`);
  };
  // The engine first, so that its memory peak is not the baseline's leftovers.
  const rss = new RssPeak();
  const engine = LogEngine.open(log1M, { maintenanceIntervalMs: 0 });
  const engineSeconds = medianRun(() => {
    const start = process.hrtime.bigint();
    const got = scanWithEngine(engine, rss);
    const s = seconds(start);
    expectTouched('the engine', got);
    return s;
  });
  engine.close();
  const rawRss = new RssPeak();
  const rawSeconds = medianRun(() => {
    let touched = 0;
    const start = process.hrtime.bigint();
    const records = scanRaw(
      raw1M,
      (r) => (touched += r.key.length + r.value.length),
      () => rawRss.sample(),
    );
    const s = seconds(start);
    expectTouched('the baseline', { records, touched });
    return s;
  });
  return resultPair('W3-scan-1M', W1_RECORDS, engineSeconds, rawSeconds, rss, { ratio: 0.4 });
}

/** A 200,000-record log written like W1's, for the memory comparison (written in its own process). */
function prepareMemoryLog(work: string): BenchResult[] {
  appendWithEngine(paths(work).log200k, new RecordPool(), MEMORY_LOG_RECORDS, W1_BATCH, false, new RssPeak());
  return [];
}

/**
 * W3's engine scan (warm-up and three runs, as W3) on the 200,000-record log: its peak memory, to
 * set beside the 1M scan's. The suite adds the 1M figure as the baseline.
 */
function memoryWorkload(work: string): BenchResult[] {
  const rss = new RssPeak();
  const engine = LogEngine.open(paths(work).log200k, { maintenanceIntervalMs: 0 });
  medianRun(() => {
    const got = scanWithEngine(engine, rss);
    if (got.records !== MEMORY_LOG_RECORDS) throw new Error(`the 200k scan read ${got.records} records`);
    return 0;
  });
  engine.close();
  return [{ suite: 'engine', workload: 'W3-memory-200k', value: rss.megabytes, unit: 'MB peak RSS', baseline: null, ratio: null, target: null, peakRssMB: rss.megabytes }];
}

function pointReadWorkload(work: string): BenchResult[] {
  const { log1M, raw1M } = paths(work);
  const offsets = Array.from({ length: W4_READS }, () => Math.floor(Math.random() * W1_RECORDS));
  const rss = new RssPeak();
  const engine = LogEngine.open(log1M, { maintenanceIntervalMs: 0 });
  const engineSeconds = medianRun(() => {
    let touched = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < offsets.length; i++) {
      const [found] = engine.read(TOPIC, 0, { fromOffset: offsets[i]!, maxRecords: 1 });
      if (!found || found.record.offset !== offsets[i]) throw new Error(`a point read of offset ${offsets[i]} found ${found?.record.offset}`);
      touched += found.record.key!.length + found.record.value!.length;
      if (i % 256 === 0) rss.sample();
    }
    const s = seconds(start);
    if (touched !== W4_READS * (KEY_BYTES + VALUE_BYTES)) throw new Error('the engine point reads missed bytes');
    return s;
  });
  engine.close();

  // The baseline knows every record's position from an in-memory array, built before timing.
  const positions: number[] = [];
  let position = 0;
  scanRaw(raw1M, (r) => {
    positions.push(position);
    position += 4 + 8 + r.key.length + r.value.length;
  });
  positions.push(position);
  const rawRss = new RssPeak();
  const fd = openSync(raw1M, 'r');
  const buf = Buffer.allocUnsafe(64 * 1024);
  const rawSeconds = medianRun(() => {
    let touched = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < offsets.length; i++) {
      const at = positions[offsets[i]!]!;
      const length = positions[offsets[i]! + 1]! - at;
      if (readSync(fd, buf, 0, length, at) !== length) throw new Error(`short read at byte ${at}`);
      const r = decodeRaw(buf, 0);
      touched += r.key.length + r.value.length;
      if (i % 256 === 0) rawRss.sample();
    }
    const s = seconds(start);
    if (touched !== W4_READS * (KEY_BYTES + VALUE_BYTES)) throw new Error('the baseline point reads missed bytes');
    return s;
  });
  closeSync(fd);
  return resultPair('W4-point-read-10k', W4_READS, engineSeconds, rawSeconds, rss, { ratio: 0.5 });
}

export const STEPS: Record<string, (work: string) => BenchResult[] | Promise<BenchResult[]>> = {
  W1: (work) => writeWorkload(work, 'W1-append-1M', W1_RECORDS, W1_BATCH, false, 0.5),
  W2: (work) => writeWorkload(work, 'W2-append-fsync-100k', W2_RECORDS, W2_BATCH, true, 0.8),
  W3: scanWorkload,
  W4: pointReadWorkload,
  'prepare-200k': prepareMemoryLog,
  'W3-memory': memoryWorkload,
  W5: (work) => runGroupWorkload(path.join(work, 'log-w5')),
};

const [step, workDir] = process.argv.slice(2);
if (process.argv[1]?.endsWith('engine-workloads.ts') && step && workDir) {
  const run = STEPS[step];
  if (!run) {
    console.error(`unknown step ${step}; known: ${Object.keys(STEPS).join(', ')}`);
    process.exit(2);
  }
  for (const result of await run(workDir)) console.log(JSON.stringify(result));
}
