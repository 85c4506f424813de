/** One measured workload, as `npm run bench -- --json` prints it (one JSON object per line). */
export interface BenchResult {
  readonly suite: string;
  readonly workload: string;
  readonly value: number;
  readonly unit: string;
  /** The same figure for the baseline measured in the same run, or null when there is none. */
  readonly baseline: number | null;
  /** value / baseline (for throughputs: higher is better). */
  readonly ratio: number | null;
  /** The ratio (or, without a baseline, the value) the issue aims for. */
  readonly target: number | null;
  /** Set to 'value' when the target is an absolute figure even though there is a baseline. */
  readonly targetOn?: 'ratio' | 'value';
  readonly peakRssMB: number;
}

/**
 * Tracks the largest resident set seen while a workload runs. Synchronous loops starve timers, so
 * the workload calls sample() itself every so often.
 */
export class RssPeak {
  private peak = process.memoryUsage.rss();

  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }

  get megabytes(): number {
    this.sample();
    return Math.round((this.peak / (1024 * 1024)) * 10) / 10;
  }
}

/**
 * Runs `fn` several times and keeps the median duration, so one slow run (a GC pause, the other
 * core busy) does not decide the figure. The first run also warms the page cache and the JIT.
 */
export function medianSeconds(runs: number, fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;
