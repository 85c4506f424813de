import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PartitionLog } from '../core/log/partition/partition-log';
import { scanBatches } from '../core/log/segment/batch-scanner';
import { SegmentFile } from '../core/log/segment/segment-file';
import { type BenchResult, medianSeconds, RssPeak, round } from './measure';

import { KEY_BYTES, RECORDS, VALUE_BYTES } from './generate-format-log';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** The baseline: the same `.log` files read sequentially in 1 MiB chunks, no parsing at all. */
function rawRead(partitionDir: string, rss: RssPeak): number {
  const buf = Buffer.allocUnsafe(1 << 20);
  let total = 0;
  for (const name of readdirSync(partitionDir).filter((n) => n.endsWith('.log')).sort()) {
    const fd = openSync(path.join(partitionDir, name), 'r');
    let n: number;
    while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) total += n;
    closeSync(fd);
    rss.sample();
  }
  return total;
}

/** The ceiling CRC checking alone puts on a scan: CRC-32C over every batch, nothing decoded. */
function crcOnly(partitionDir: string, rss: RssPeak): number {
  let batches = 0;
  for (const name of readdirSync(partitionDir).filter((n) => n.endsWith('.log')).sort()) {
    const file = new SegmentFile(path.join(partitionDir, name));
    for (const batch of scanBatches(file, 0, { verifyChecksums: true })) batches += batch.recordCount > 0 ? 1 : 0;
    file.close();
    rss.sample();
  }
  return batches;
}

/**
 * The full scan: every batch read and CRC-checked and every record decoded (offset, timestamp,
 * framing of key, value and headers). With `touch`, each record's key and value are also taken
 * as Buffers, as a consumer would.
 */
function fullScan(partitionDir: string, rss: RssPeak, touch: boolean): { records: number; checksum: number } {
  const log = new PartitionLog(partitionDir, 'bench', 0, { verifyChecksums: true });
  let records = 0;
  let checksum = 0;
  let batches = 0;
  for (const batch of log.batches(0)) {
    for (const record of batch.records()) {
      checksum += touch ? record.key!.length + record.value!.length : KEY_BYTES + VALUE_BYTES;
      records++;
    }
    if (++batches % 64 === 0) rss.sample();
  }
  log.close();
  return { records, checksum };
}

export function runFormatSuite(): BenchResult[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapedeck-bench-format-'));
  try {
    // A child process writes the log, so this process's memory reflects scanning alone.
    execFileSync(process.execPath, [path.join(REPO, 'bin/run-ts.mjs'), path.join(REPO, 'bench/generate-format-log.ts'), dir], { stdio: 'inherit' });
    const partitionDir = path.join(dir, 'bench-0');
    const bytes = readdirSync(partitionDir).filter((n) => n.endsWith('.log')).reduce((sum, n) => sum + statSync(path.join(partitionDir, n)).size, 0);
    const mb = bytes / (1024 * 1024);

    const rawRss = new RssPeak();
    const rawSeconds = medianSeconds(5, () => rawRead(partitionDir, rawRss));
    const crcRss = new RssPeak();
    const crcSeconds = medianSeconds(5, () => crcOnly(partitionDir, crcRss));
    const scan = (touch: boolean) => {
      const rss = new RssPeak();
      let scanned = { records: 0, checksum: 0 };
      const seconds = medianSeconds(5, () => {
        scanned = fullScan(partitionDir, rss, touch);
      });
      if (scanned.records !== RECORDS || scanned.checksum !== RECORDS * (KEY_BYTES + VALUE_BYTES)) {
        throw new Error(`full scan read ${scanned.records} records (checksum ${scanned.checksum}), expected ${RECORDS}`);
      }
      return { seconds, rss };
    };
    const decoded = scan(false);
    const touched = scan(true);
    const rawMBs = mb / rawSeconds;
    const vsRaw = (workload: string, seconds: number, rss: RssPeak, target: number | null): BenchResult[] => [
      { suite: 'format', workload, value: round(mb / seconds, 1), unit: 'MB/s', baseline: round(rawMBs, 1), ratio: round(mb / seconds / rawMBs), target, peakRssMB: rss.megabytes },
      { suite: 'format', workload: `${workload}-records`, value: Math.round(RECORDS / seconds), unit: 'records/s', baseline: null, ratio: null, target: null, peakRssMB: rss.megabytes },
    ];
    return [
      { suite: 'format', workload: 'raw-read-1M', value: round(rawMBs, 1), unit: 'MB/s', baseline: null, ratio: null, target: null, peakRssMB: rawRss.megabytes },
      { suite: 'format', workload: 'crc32c-only-1M', value: round(mb / crcSeconds, 1), unit: 'MB/s', baseline: round(rawMBs, 1), ratio: round(mb / crcSeconds / rawMBs), target: null, peakRssMB: crcRss.megabytes },
      ...vsRaw('full-scan-1M', decoded.seconds, decoded.rss, 0.4),
      ...vsRaw('full-scan-1M-touch', touched.seconds, touched.rss, null),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
