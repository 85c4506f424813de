import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LogBatch, LogRecord } from '../../../core/log/batch/log-record';
import { RecordBatchV2, hex } from '../../../core/log/batch/record-batch';
import { codecName } from '../../../core/log/compression/compression-codec';
import type { LogWarning } from '../../../core/log/errors';
import { LogDirectory } from '../../../core/log/logdir/log-directory';
import { parsePartitionDirName } from '../../../core/log/logdir/partition-dir-name';
import { PartitionLog } from '../../../core/log/partition/partition-log';
import { scanBatches } from '../../../core/log/segment/batch-scanner';
import { SegmentFile } from '../../../core/log/segment/segment-file';
import { isoTime } from '../format';
import type { LineOutput } from '../output';
import { recordJson, textBytes } from '../record-json';
import { printWarnings } from '../warnings';

export interface DumpOptions {
  readonly json?: boolean;
  readonly raw?: boolean;
  readonly from?: number;
  readonly limit?: number;
  readonly includeControl?: boolean;
  readonly topic?: string;
}

/** A stream of batches with the topic and partition they belong to (null when a lone file has none). */
interface BatchSource {
  readonly label: string;
  readonly topic: string | null;
  readonly partition: number | null;
  batches(from: number): Iterable<LogBatch>;
  close(): void;
}

/**
 * `tapedeck dump <path>`: every record of a log dir, a partition dir or one `.log` file, in the
 * spirit of kafka-dump-log. Records print as they are read, so a corrupt batch late in a log still
 * shows everything before it, then the error naming file and byte.
 */
export function dumpCommand(target: string, options: DumpOptions, out: LineOutput): number {
  const warnings: LogWarning[] = [];
  const sources = resolveSources(target, options.topic, (w) => warnings.push(w));
  let remaining = options.limit ?? Infinity;
  try {
    for (const source of sources) {
      if (remaining <= 0 || out.isClosed) break;
      if (!options.json) out.line(`Dumping ${source.label}`);
      for (const batch of source.batches(options.from ?? 0)) {
        if (remaining <= 0 || out.isClosed) break;
        if (batch.lastOffset < (options.from ?? 0)) continue;
        const showBatch = !batch.isControl || options.includeControl;
        if (!options.json && showBatch) out.line(batchLine(batch));
        if (!showBatch) continue;
        for (const record of batch.records()) {
          if (record.offset < (options.from ?? 0)) continue;
          if (remaining-- <= 0) break;
          out.line(options.json ? jsonLine(record, batch, source, options.raw ?? false) : recordLine(record, batch, options.raw ?? false));
        }
      }
    }
  } finally {
    for (const source of sources) source.close();
    printWarnings(warnings);
  }
  return 0;
}

function resolveSources(target: string, topic: string | undefined, onWarning: (w: LogWarning) => void): BatchSource[] {
  if (!existsSync(target)) throw new Error(`${target}: no such file or directory`);
  const scan = { verifyChecksums: true, onWarning };
  if (statSync(target).isFile()) {
    const parsed = parsePartitionDirName(path.basename(path.dirname(path.resolve(target))));
    const file = new SegmentFile(target);
    return [{ label: target, topic: parsed?.topic ?? null, partition: parsed?.partition ?? null, batches: () => scanBatches(file, 0, scan), close: () => file.close() }];
  }
  const parsed = parsePartitionDirName(path.basename(path.resolve(target)));
  const isPartitionDir = parsed !== undefined && readdirSync(target).some((name) => name.endsWith('.log'));
  const partitions = isPartitionDir ? [new PartitionLog(target, parsed.topic, parsed.partition, scan)] : LogDirectory.open(target, { onWarning }).partitions;
  return partitions
    .filter((p) => topic === undefined || p.topic === topic)
    .map((p) => ({ label: p.dir, topic: p.topic, partition: p.partition, batches: (from: number) => p.batches(from), close: () => p.close() }));
}

function jsonLine(record: LogRecord, batch: LogBatch, source: BatchSource, raw: boolean): string {
  const line = recordJson(record, source.topic, source.partition, raw);
  return batch.isControl && batch instanceof RecordBatchV2 ? `${line.slice(0, -1)},"control":"${batch.controlType()}"}` : line;
}

function batchLine(batch: LogBatch): string {
  const crc = batch instanceof RecordBatchV2 ? ` crc: ${hex(batch.storedCrc)}` : '';
  return [
    `baseOffset: ${batch.baseOffset} lastOffset: ${batch.lastOffset} count: ${batch.recordCount}`,
    `position: ${batch.position} size: ${batch.sizeInBytes} magic: ${batch.magic} compression: ${codecName(batch.compression)}`,
    `${batch.timestampType}: ${isoTime(batch.maxTimestamp)} producerId: ${batch.producerId} producerEpoch: ${batch.producerEpoch} baseSequence: ${batch.baseSequence}`,
    `isTransactional: ${batch.isTransactional} isControl: ${batch.isControl} partitionLeaderEpoch: ${batch.partitionLeaderEpoch}${crc}`,
  ].join(' ');
}

function recordLine(record: LogRecord, batch: LogBatch, raw: boolean): string {
  const show = (b: Buffer | null) => (raw && b ? b.toString('base64') : textBytes(b));
  if (batch.isControl && batch instanceof RecordBatchV2) return `| offset: ${record.offset} ${record.timestampType}: ${record.timestamp} control: ${batch.controlType()}`;
  const headers = record.headers.map((h) => `${JSON.stringify(h.key)}=${show(h.value)}`).join(', ');
  return `| offset: ${record.offset} ${record.timestampType}: ${record.timestamp} key: ${show(record.key)} value: ${show(record.value)} headers: [${headers}]`;
}
