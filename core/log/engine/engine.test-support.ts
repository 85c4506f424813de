/**
 * Test-only helpers for the log engine: engines over temporary directories that are closed (or
 * abandoned) after each test, an injectable clock, record builders, crash simulation, an
 * independent check of index files against IndexBuilder, and running TypeScript in a child
 * process (for the lock and full-disk scenarios).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import type { RecordToEncode } from '../batch/record-batch-encoder';
import { useTempDirs } from '../log-fixtures.test-support';
import { LogDirectory } from '../logdir/log-directory';
import type { ReadRecord } from '../partition/partition-log';
import { scanBatchHeaders } from '../segment/batch-scanner';
import { IndexBuilder } from '../segment/index-builder';
import { segmentFileName } from '../segment/log-segment';
import { SegmentFile } from '../segment/segment-file';
import { type EngineOptions, LogEngine } from './log-engine';

/** The repository root: child processes run from here so that `--import tsx` resolves. */
export const REPO = path.resolve(import.meta.dirname, '..', '..', '..');

/** A clock the test moves by hand. */
export class FakeClock {
  constructor(public time = 1_700_000_000_000) {}
  readonly now = (): number => this.time;
  advance(ms: number): number {
    this.time += ms;
    return this.time;
  }
}

/**
 * Engines over temporary directories, cleaned up after each test: open engines are closed (an
 * engine a test crashed on purpose is left alone), then the directories are removed.
 */
export function useEngines(): {
  dir(): string;
  copyFixture(relative: string): string;
  open(dir: string, options?: EngineOptions): LogEngine;
  /** A fresh directory with an engine over it; maintenance off unless asked for. */
  fresh(options?: EngineOptions): LogEngine;
} {
  const open: LogEngine[] = [];
  // useTempDirs registers its hook first; vitest runs afterEach hooks as a stack, so the engines
  // are closed before their directories are removed.
  const temp = useTempDirs();
  afterEach(() => {
    for (const engine of open.splice(0)) {
      try {
        engine.close();
      } catch {
        // A test that crashed the engine closed its files already.
      }
    }
  });
  const openEngine = (dir: string, options: EngineOptions = {}) => {
    const engine = LogEngine.open(dir, { maintenanceIntervalMs: 0, ...options });
    open.push(engine);
    return engine;
  };
  return {
    dir: () => temp.make(),
    copyFixture: (relative) => temp.copyFixture(relative),
    open: openEngine,
    fresh: (options = {}) => openEngine(path.join(temp.make(), 'logs'), { create: true, ...options }),
  };
}

/**
 * Leaves the engine as a crash would: every partition's files closed without sealing, no
 * checkpoints, no clean-shutdown marker. The writer lock (held by this very process, which is
 * alive) is removed, as the next open after a real crash would find a dead holder.
 */
export function crash(engine: LogEngine): void {
  for (const topic of engine.listTopics()) {
    for (let p = 0; p < topic.partitions; p++) engine.partitionWriter(topic.name, p).abandon();
  }
  rmSync(path.join(engine.dir, '.tapedeck', 'writer.lock'), { force: true });
  // Keep the test's afterEach from closing (and so sealing) what the crash left behind.
  Object.assign(engine, { closed: true });
}

export const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/** A record with a text value (and key), at a timestamp. */
export function rec(value: string, timestamp = 1_700_000_000_000, key: string | null = null): RecordToEncode {
  return { key: key === null ? null : utf8(key), value: utf8(value), timestamp };
}

/** `count` records whose values are `prefix0`, `prefix1`, ... padded to `size` bytes. */
export function recs(count: number, prefix: string, options: { size?: number; timestamp?: number } = {}): RecordToEncode[] {
  return Array.from({ length: count }, (_, i) => rec(`${prefix}${i}`.padEnd(options.size ?? 0, '.'), options.timestamp ?? 1_700_000_000_000 + i));
}

export function valuesOf(records: readonly ReadRecord[]): string[] {
  return records.map((r) => r.record.value?.toString('utf8') ?? '<null>');
}

export function offsetsOf(records: readonly ReadRecord[]): number[] {
  return records.map((r) => r.record.offset);
}

/** Every record of a partition through the engine, control records included. */
export function readAll(engine: LogEngine, topic: string, partition = 0): ReadRecord[] {
  return engine.read(topic, partition, { fromOffset: engine.startOffset(topic, partition), includeControl: true });
}

/** Segment base offsets of a partition directory, in order. */
export function segmentBases(partitionDir: string): number[] {
  return readdirSync(partitionDir)
    .map((name) => /^(\d{20})\.log$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

export function snapshotBases(partitionDir: string): number[] {
  return readdirSync(partitionDir)
    .map((name) => /^(\d{20})\.snapshot$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** What IndexBuilder makes of a segment's batch headers, as file bytes; sealed or still active. */
export function rebuiltIndexes(partitionDir: string, base: number, intervalBytes: number, sealed: boolean): { index: Buffer; timeindex: Buffer } {
  const file = new SegmentFile(path.join(partitionDir, segmentFileName(base, '.log')));
  try {
    const builder = new IndexBuilder(base, intervalBytes);
    for (const header of scanBatchHeaders(file, 0)) builder.add(header);
    const { offsetIndex, timeIndex } = sealed ? builder.seal() : builder.build();
    return { index: offsetIndex.toBuffer(), timeindex: timeIndex.toBuffer() };
  } finally {
    file.close();
  }
}

/**
 * Checks every segment's `.index` and `.timeindex` against IndexBuilder's rebuild, byte for byte.
 * Sealed segments (and, with `activeSealed`, the last one, as after a clean close) get the
 * close-time entry; an active segment does not.
 */
export function expectIndexesMatchRebuild(partitionDir: string, intervalBytes: number, options: { activeSealed: boolean }): void {
  const bases = segmentBases(partitionDir);
  bases.forEach((base, i) => {
    const sealed = i < bases.length - 1 || options.activeSealed;
    const expected = rebuiltIndexes(partitionDir, base, intervalBytes, sealed);
    const where = `${path.basename(partitionDir)}/${segmentFileName(base, '.log')} (${sealed ? 'sealed' : 'active'})`;
    expect(readFileSync(path.join(partitionDir, segmentFileName(base, '.index'))).toString('hex'), `${where} .index`).toBe(expected.index.toString('hex'));
    expect(readFileSync(path.join(partitionDir, segmentFileName(base, '.timeindex'))).toString('hex'), `${where} .timeindex`).toBe(expected.timeindex.toString('hex'));
  });
}

/** One line per record of every partition of a log directory (control records included), for before/after comparisons. */
export function recordListing(dir: string): { partitions: Record<string, string[]>; warnings: string[] } {
  const logDir = LogDirectory.open(dir);
  try {
    const partitions: Record<string, string[]> = {};
    for (const partition of logDir.partitions) {
      const lines: string[] = [];
      for (const batch of partition.batches(0)) {
        for (const r of batch.records()) {
          const headers = r.headers.map((h) => `${h.key}=${h.value?.toString('base64') ?? 'null'}`).join(',');
          lines.push(`${r.offset} ${r.timestamp} ${r.timestampType} ${batch.isControl ? 'control' : 'data'} ${r.key?.toString('base64') ?? 'null'} ${r.value?.toString('base64') ?? 'null'} [${headers}]`);
        }
      }
      partitions[partition.name] = lines;
    }
    return { partitions, warnings: logDir.warnings.map((w) => `${w.file}@${w.position}: ${w.message}`) };
  } finally {
    logDir.close();
  }
}

export function lockFile(logDir: string): string {
  return path.join(logDir, '.tapedeck', 'writer.lock');
}

export function hasCleanShutdownMarker(logDir: string): boolean {
  return existsSync(path.join(logDir, '.kafka_cleanshutdown'));
}

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node --import tsx <script> ...args` from the repository root and waits for it. */
export function runTs(script: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<ChildResult> {
  return runCommand(process.execPath, ['--import', 'tsx', script, ...args], options);
}

export function runCommand(command: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${options.timeoutMs ?? 20_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A child process the test talks to line by line: JSON lines out, text lines in. */
export class InteractiveChild {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffered = '';
  private readonly lines: string[] = [];
  private waiters: (() => void)[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(script: string, args: readonly string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffered += chunk.toString('utf8');
      const parts = this.buffered.split('\n');
      this.buffered = parts.pop()!;
      this.lines.push(...parts.filter((l) => l.trim()));
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => {
      for (const wake of this.waiters.splice(0)) wake();
      resolve({ code, signal });
    }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The next JSON line the child prints. */
  async next<T>(timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length === 0) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`the child exited (${this.child.exitCode ?? this.child.signalCode}) without printing a line\nstderr: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no line from the child within ${timeoutMs} ms\nstderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return JSON.parse(this.lines.shift()!) as T;
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}
