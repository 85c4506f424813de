import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogEngine } from '../../log/engine/log-engine';
import { KafkaListener } from './kafka-listener';
import type { ListenerOptions } from './kafka-listener';

/**
 * Test support for the listener against real clients: a listener over a fresh log directory in
 * this process (its log lines captured), the `tapedeck` CLI as a separate process, and polling.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const TAPEDECK_BIN = path.join(REPO_ROOT, 'bin', 'tapedeck.mjs');

const tempDirs: string[] = [];

/** A new empty directory under the system temp dir; removeTempDirs() deletes them all. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `tapedeck-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface RunningListener {
  readonly dir: string;
  readonly engine: LogEngine;
  readonly listener: KafkaListener;
  readonly port: number;
  /** `127.0.0.1:<port>`, for clients' bootstrap lists. */
  readonly bootstrap: string;
  /** Every line the listener logged, in order. */
  readonly logs: string[];
  /** Stops the listener and closes the engine (a clean shutdown of the directory). Idempotent. */
  stop(): Promise<void>;
}

/**
 * A listener on 127.0.0.1 (a free port) over `dir`, opened as a broker would open it but without
 * the maintenance timer, topics auto-created, and a short initial rebalance delay so group tests
 * do not wait Kafka's 3 s.
 */
export async function startListener(dir: string, options: ListenerOptions = {}): Promise<RunningListener> {
  const engine = LogEngine.open(dir, { create: true, maintenanceIntervalMs: 0 });
  const logs: string[] = [];
  const listener = new KafkaListener(engine, {
    port: 0,
    autoCreateTopics: true,
    initialRebalanceDelayMs: 100,
    ...options,
    log: (line) => {
      logs.push(line);
      options.log?.(line);
    },
  });
  try {
    await listener.start();
  } catch (error) {
    engine.close();
    throw error;
  }
  const port = listener.listening!.port;
  let stopped = false;
  return {
    dir,
    engine,
    listener,
    port,
    bootstrap: `127.0.0.1:${port}`,
    logs,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await listener.stop();
      engine.close();
    },
  };
}

/** Every partition's end offset, `topic-partition` to offset, internal topics left out. */
export function endOffsets(engine: LogEngine): Record<string, number> {
  const ends: Record<string, number> = {};
  for (const topic of engine.listTopics()) {
    if (topic.name.startsWith('__')) continue;
    for (let p = 0; p < topic.partitions; p++) ends[`${topic.name}-${p}`] = engine.endOffset(topic.name, p);
  }
  return ends;
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitUntil<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Raw bytes: output is compared byte for byte, so it is never decoded chunk by chunk. */
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly wallMs: number;
}

export interface RunningProcess {
  readonly child: ChildProcess;
  readonly done: Promise<ProcessResult>;
  /** Kills the process (SIGKILL) if it is still running. */
  kill(signal?: NodeJS.Signals): void;
}

/** Starts a program with stdin from a string, a Buffer, or nothing; collects stdout as bytes. */
export function startProcess(command: string, args: readonly string[], options: { stdin?: string | Buffer; cwd?: string } = {}): RunningProcess {
  const started = Date.now();
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: options.cwd });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  child.stdin!.on('error', () => {});
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  else child.stdin!.end();
  const done = new Promise<ProcessResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr, wallMs: Date.now() - started }));
  });
  return {
    child,
    done,
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Runs a program to its end; fails with its stderr when it exits non-zero. */
export async function runProcess(command: string, args: readonly string[], options: { stdin?: string | Buffer; cwd?: string; timeoutMs?: number } = {}): Promise<ProcessResult> {
  const run = startProcess(command, args, options);
  const timer = setTimeout(() => run.kill(), options.timeoutMs ?? 45_000);
  try {
    const result = await run.done;
    if (result.code !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} exited with ${result.code ?? result.signal}: ${result.stderr.slice(-4000)}`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** The `tapedeck` CLI (a separate Node process), run to its end. */
export function runTapedeck(args: readonly string[], stdin?: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [TAPEDECK_BIN, ...args], { input: stdin, encoding: 'utf8', maxBuffer: 1 << 30, cwd: REPO_ROOT });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
