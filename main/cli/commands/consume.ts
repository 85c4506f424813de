import type { LogWarning } from '../../../core/log/errors';
import { LogDirectory } from '../../../core/log/logdir/log-directory';
import type { PartitionLog, ReadRecord } from '../../../core/log/partition/partition-log';
import { tailPartition } from '../../../core/log/partition/partition-tail';
import { isoTime } from '../format';
import type { LineOutput } from '../output';
import { recordJson, textBytes } from '../record-json';
import { printWarnings } from '../warnings';
import { consumeWithGroup } from './consume-group';

export interface ConsumeOptions {
  readonly group?: string;
  readonly fromBeginning?: boolean;
  readonly offset?: number;
  readonly partition?: number;
  readonly time?: string;
  readonly follow?: boolean;
  readonly limit?: number;
  readonly json?: boolean;
}

/** Where reading starts in one partition, from the options, as Kafka's console consumer decides it. */
function startOffset(log: PartitionLog, options: ConsumeOptions, at: number | undefined): number {
  if (options.offset !== undefined) return Math.min(Math.max(options.offset, log.startOffset()), log.nextOffset());
  if (at !== undefined) return log.offsetForTimestamp(at)?.offset ?? log.nextOffset();
  return options.fromBeginning ? log.startOffset() : log.nextOffset();
}

function parseTime(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`--time ${text}: not an ISO-8601 time (for example 2026-01-15T12:00:00Z)`);
  return ms;
}

/**
 * `tapedeck consume <logdir> <topic>`: reads a topic as a consumer would, without taking the
 * writer lock, so it also works while another process writes the directory. Partitions are merged
 * in timestamp order (ties by partition, then offset). Without a start option it begins at the log
 * end, like kafka-console-consumer; --follow then waits for new records until interrupted.
 */
export async function consumeCommand(logDir: string, topic: string, options: ConsumeOptions, out: LineOutput, signal: AbortSignal): Promise<number> {
  if (options.group !== undefined) {
    if (options.offset !== undefined || options.time !== undefined || options.partition !== undefined) {
      throw new Error('--group starts from the group\'s committed offsets; it does not combine with --offset, --time or --partition');
    }
    return consumeWithGroup(logDir, topic, { ...options, group: options.group }, out, signal);
  }
  if (options.offset !== undefined && options.partition === undefined) throw new Error('--offset needs --partition: offsets are per partition');
  const at = options.time === undefined ? undefined : parseTime(options.time);
  const warnings: LogWarning[] = [];
  const dir = LogDirectory.open(logDir, { onWarning: (w) => warnings.push(w) });
  try {
    const partitions = dir.partitions.filter((p) => p.topic === topic && (options.partition === undefined || p.partition === options.partition));
    if (partitions.length === 0) {
      const known = dir.topics().map((t) => t.name);
      throw new Error(options.partition === undefined ? `unknown topic '${topic}' in ${dir.path}; topics: ${known.join(', ') || 'none'}` : `topic '${topic}' has no partition ${options.partition}`);
    }
    const limit = options.limit ?? Infinity;
    let printed = 0;
    const print = ({ record }: ReadRecord, log: PartitionLog) => {
      printed++;
      out.line(options.json ? recordJson(record, topic, log.partition, false) : `${topic}-${log.partition}@${record.offset}  ${isoTime(record.timestamp)}  key=${textBytes(record.key)}  value=${textBytes(record.value)}`);
    };
    const starts = partitions.map((log) => startOffset(log, options, at));
    if (!options.follow) {
      for (const { item, log } of mergeByTime(partitions, starts)) {
        if (printed >= limit || out.isClosed) break;
        print(item, log);
      }
      return 0;
    }
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener('abort', onAbort);
    await Promise.all(
      partitions.map(async (log, i) => {
        for await (const item of tailPartition(log, starts[i]!, stop.signal)) {
          if (printed >= limit || out.isClosed) break;
          print(item, log);
          out.flush();
          if (printed >= limit) break;
        }
        // One partition reaching the limit (or the output closing) ends all of them.
        stop.abort();
      }),
    );
    signal.removeEventListener('abort', onAbort);
    return 0;
  } finally {
    dir.close();
    printWarnings(warnings);
  }
}

/** A streaming k-way merge of partitions by record timestamp; each partition stays in offset order. */
function* mergeByTime(logs: readonly PartitionLog[], starts: readonly number[]): Generator<{ item: ReadRecord; log: PartitionLog }> {
  const iterators = logs.map((log, i) => log.records({ fromOffset: starts[i]! }));
  const heads = iterators.map((it) => it.next());
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i]!;
      if (head.done) continue;
      if (best < 0 || head.value.record.timestamp < (heads[best]!.value as ReadRecord).record.timestamp) best = i;
    }
    if (best < 0) return;
    yield { item: heads[best]!.value as ReadRecord, log: logs[best]! };
    heads[best] = iterators[best]!.next();
  }
}
