import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchResult } from './measure';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/**
 * The steps of the suite, in order: each runs in its own process (engine-workloads.ts), so each
 * workload's peak memory is its own; W1 leaves the 1M-record log and raw file that W3 and W4 read.
 */
const STEPS = ['W1', 'W2', 'W3', 'W4', 'prepare-200k', 'W3-memory', 'W5'] as const;

function runStep(step: string, work: string): BenchResult[] {
  process.stderr.write(`engine: ${step}...\n`);
  const out = execFileSync(process.execPath, [path.join(REPO, 'bin/run-ts.mjs'), path.join(REPO, 'bench/engine-workloads.ts'), step, work], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  return out
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as BenchResult);
}

/**
 * The log engine against raw `fs` doing the same I/O (W1 bulk append, W2 fsync per append, W3 full
 * scan, W4 random point reads), a consumer group over the engine (W5), and the memory of a scan
 * at two log sizes. Data lives in a temporary folder, removed at the end.
 */
export function runEngineSuite(): BenchResult[] {
  const work = mkdtempSync(path.join(os.tmpdir(), 'tapedeck-bench-engine-'));
  try {
    const results = STEPS.flatMap((step) => runStep(step, work));
    // The 200k scan's peak beside the 1M scan's: memory must not grow with the log.
    const scan1M = results.find((r) => r.workload === 'W3-scan-1M');
    return results.map((r) =>
      r.workload === 'W3-memory-200k' && scan1M ? { ...r, baseline: scan1M.peakRssMB, ratio: Math.round((r.value / scan1M.peakRssMB) * 100) / 100 } : r,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
