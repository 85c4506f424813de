import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchResult } from './measure';
import { round } from './measure';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function runStep(step: 'data' | 'append' | 'kcat', work: string): BenchResult[] {
  process.stderr.write(`kafka: ${step}...\n`);
  const out = execFileSync(process.execPath, [path.join(REPO, 'bin/run-ts.mjs'), path.join(REPO, 'bench/kafka-workloads.ts'), step, work], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as BenchResult);
}

/**
 * The Kafka listener under kcat (librdkafka 2.0.2): 1,000,000 100-byte records produced into a
 * listener and consumed back, beside the engine's own append path doing the same work in process.
 * Each step runs in its own process (kafka-workloads.ts), so the peak RSS of the kcat step is the
 * listener's. Data lives in a temporary folder, removed at the end.
 */
export function runKafkaSuite(): BenchResult[] {
  const work = mkdtempSync(path.join(os.tmpdir(), 'tapedeck-bench-kafka-'));
  try {
    runStep('data', work);
    const [append] = runStep('append', work);
    const overWire = runStep('kcat', work);
    if (!append) throw new Error('the append step reported nothing');
    return [
      ...overWire.map((r) => (r.workload === 'kcat-produce-1M' ? { ...r, baseline: append.value, ratio: round(r.value / append.value) } : r)),
      append,
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
