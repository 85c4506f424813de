/**
 * A real full disk, not a mock: each scenario (full-disk-scenario.test-support.ts) runs in a child
 * process inside a user + mount namespace whose log directory sits on a 256 KiB tmpfs, so the
 * engine meets a genuine ENOSPC from the kernel. Works without root where unprivileged user
 * namespaces are allowed; where `unshare` is missing the test fails and says so.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from './engine.test-support';
import type { FullDiskReport, PartitionCheck } from './full-disk-scenario.test-support';

const SCRIPT = path.join(import.meta.dirname, 'full-disk-scenario.test-support.ts');
const mounts: string[] = [];
afterAll(() => {
  for (const dir of mounts) rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => {
  const probe = spawnSync('unshare', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `the full-disk tests need unshare(1) (util-linux) to mount a 256 KiB tmpfs in a user + mount namespace, and it is not available here: ${probe.error?.message ?? probe.stderr}. Install util-linux; this test must not be skipped.`,
    );
  }
});

async function runScenario(scenario: 'plain' | 'roll'): Promise<FullDiskReport> {
  const mount = mkdtempSync(path.join(os.tmpdir(), 'tapedeck-full-disk-'));
  mounts.push(mount);
  const script = 'mount -t tmpfs -o size=256k tmpfs "$1" && exec "$2" --import tsx "$3" "$1" "$4"';
  const result = await runCommand('unshare', ['-rm', 'sh', '-c', script, 'sh', mount, process.execPath, SCRIPT, scenario], { timeoutMs: 30_000 });
  if (result.code !== 0 || !result.stdout.trim()) {
    throw new Error(`the ${scenario} scenario did not run (exit ${result.code ?? result.signal}); if the mount failed, unprivileged user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone / user.max_user_namespaces)\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as FullDiskReport;
}

function expectHealthy(check: PartitionCheck, records: string[], where: string): void {
  expect(check.directoryWarnings, `${where}: LogDirectory warnings`).toEqual([]);
  expect(check.badCrcs, `${where}: batches with a bad CRC`).toEqual([]);
  expect(check.directoryRead, `${where}: records read by LogDirectory`).toEqual(records);
  expect(check.indexMismatches, `${where}: index files that differ from IndexBuilder's rebuild`).toEqual([]);
}

describe('a full disk (real ENOSPC on a 256 KiB tmpfs)', () => {
  it('refuses the append that does not fit with STORAGE_ERROR, keeps every acknowledged record, and appends again once space is freed', async () => {
    const report = await runScenario('plain');
    expect(report.appendsBeforeFull).toBeGreaterThan(20);
    expect(report.failure).toMatchObject({ ok: false, name: 'EngineError', code: 'STORAGE_ERROR' });
    expect(report.failure.message).toMatch(/disk is full/);
    expect(report.failure.message).toMatch(/fill-0/);
    expect(report.retryWhileFull).toMatchObject({ ok: false, code: 'STORAGE_ERROR' });

    const end = report.endAfterFailure['fill']!;
    const all = report.acknowledged['fill']!;
    const before = all.slice(0, end);
    expect(before.map((line) => Number(line.split(':')[0]))).toEqual(Array.from({ length: end }, (_, i) => i));
    // While the disk is full: everything acknowledged reads back through the engine and LogDirectory.
    expect(report.whileFull['fill']!.engineRead).toEqual(before);
    expectHealthy(report.whileFull['fill']!, before, 'while full');

    // Space freed: appends carry on at the next offset.
    expect(report.afterFree.every((o) => o.ok)).toBe(true);
    expect(report.afterFree[0]!.baseOffset).toBe(end);
    expect(all).toHaveLength(end + 24);
    expect(report.closeError).toBeUndefined();
    expectHealthy(report.afterClose['fill']!, all, 'after close');
  });

  it('survives the disk filling up exactly when a segment must roll', async () => {
    const report = await runScenario('roll');
    expect(report.failure).toMatchObject({ ok: false, code: 'STORAGE_ERROR' });
    expect(report.failure.message).toMatch(/disk is full/);
    expect(report.endAfterFailure).toEqual({ roll: 2, other: 1 });
    expect(report.whileFull['roll']!.engineRead).toEqual(report.acknowledged['roll']!.slice(0, 2));
    expectHealthy(report.whileFull['roll']!, report.acknowledged['roll']!.slice(0, 2), 'roll-0 while full');
    expectHealthy(report.whileFull['other']!, report.acknowledged['other']!.slice(0, 1), 'other-0 while full');
    // Space freed: a batch that does not need a roll goes to the partition whose roll failed.
    expect(report.afterFree[0]).toMatchObject({ ok: true, baseOffset: 2 });
    expect(report.afterFree.every((o) => o.ok)).toBe(true);
    expect(report.closeError).toBeUndefined();
    expectHealthy(report.afterClose['roll']!, report.acknowledged['roll']!, 'roll-0 after close');
    expectHealthy(report.afterClose['other']!, report.acknowledged['other']!, 'other-0 after close');
    expect(report.acknowledged['roll']).toHaveLength(4);
  });
});
