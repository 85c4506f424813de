import { LogDirectory } from '../../../core/log/logdir/log-directory';
import type { PartitionSummary } from '../../../core/log/partition/partition-log';
import { humanBytes, isoTime, table } from '../format';
import type { LineOutput } from '../output';
import { printWarnings } from '../warnings';

export interface TopicsOptions {
  readonly json?: boolean;
  readonly excludeInternal?: boolean;
}

/** `tapedeck topics <logdir>`: every topic and partition, from batch headers and indexes only. */
export function topicsCommand(logDir: string, options: TopicsOptions, out: LineOutput): number {
  const dir = LogDirectory.open(logDir);
  try {
    // User topics first, Kafka's internal ones after: they are rarely what a user came to see.
    const topics = dir
      .topics()
      .filter((t) => !(options.excludeInternal && t.internal))
      .sort((a, b) => Number(a.internal) - Number(b.internal) || a.name.localeCompare(b.name))
      .map((t) => ({ name: t.name, internal: t.internal, partitions: t.partitions.map((p) => p.summary()) }));
    if (options.json) {
      out.line(
        JSON.stringify({
          logDir: dir.path,
          clusterId: dir.meta?.clusterId ?? null,
          nodeId: dir.meta?.nodeId ?? null,
          cleanShutdown: dir.cleanShutdown,
          topics,
          warnings: dir.warnings.map((w) => ({ file: w.file, position: w.position, message: w.message })),
        }),
      );
    } else {
      const rows = topics.flatMap((t) => t.partitions.map((p) => summaryRow(p)));
      for (const line of table(['TOPIC', 'PARTITION', 'START', 'NEXT', 'RECORDS', 'BYTES', 'SEGMENTS', 'FIRST TIMESTAMP', 'LAST TIMESTAMP', 'CODECS'], rows)) out.line(line);
      const records = topics.reduce((sum, t) => sum + t.partitions.reduce((s, p) => s + p.records, 0), 0);
      out.line(`${topics.length} topics, ${rows.length} partitions, ${records} records`);
      printWarnings(dir.warnings);
    }
    return 0;
  } finally {
    dir.close();
  }
}

function summaryRow(p: PartitionSummary): (string | number)[] {
  return [p.topic, p.partition, p.startOffset, p.nextOffset, p.records, humanBytes(p.bytes), p.segments, isoTime(p.firstTimestamp), isoTime(p.lastTimestamp), p.codecs.join(',') || '-'];
}
