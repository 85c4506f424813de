import { createInterface } from 'node:readline';
import { LogEngine, type ProduceRecord } from '../../../core/log/engine/log-engine';
import type { LineOutput } from '../output';
import { parseProduceLine } from '../produce-input';

/** Records are stored in batches of this many lines, so large inputs stream through. */
const LINES_PER_BATCH = 1000;

/**
 * `tapedeck produce <logdir> <topic>`: stores one record per stdin line. Input is stored in
 * order, batch by batch; a bad line stops the command with its line and column, and everything
 * before it stays stored (the summary says how much).
 */
export async function produceCommand(logDir: string, topic: string, options: { partitions?: number; raw?: boolean }, input: NodeJS.ReadableStream, out: LineOutput): Promise<number> {
  const engine = LogEngine.open(logDir, { create: true, maintenanceIntervalMs: 0 });
  const perPartition = new Map<number, { count: number; first: number; last: number }>();
  let pending: ProduceRecord[] = [];
  let lineNumber = 0;
  const store = () => {
    if (pending.length === 0) return;
    for (const result of engine.produce(topic, pending, { createPartitions: options.partitions ?? 1 })) {
      const seen = perPartition.get(result.partition) ?? { count: 0, first: result.baseOffset, last: 0 };
      seen.count += result.recordCount;
      seen.last = result.baseOffset + result.recordCount - 1;
      perPartition.set(result.partition, seen);
    }
    pending = [];
  };
  try {
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber++;
      if (text.trim() === '') continue;
      let record: ProduceRecord;
      try {
        record = parseProduceLine(text, lineNumber, options.raw ?? false);
      } catch (error) {
        // Everything before the bad line is stored; the error then says where input stopped.
        store();
        throw error;
      }
      pending.push(record);
      if (pending.length >= LINES_PER_BATCH) store();
    }
    store();
  } finally {
    const total = [...perPartition.values()].reduce((sum, p) => sum + p.count, 0);
    out.line(`Produced ${total} record${total === 1 ? '' : 's'} to ${topic}${total ? ':' : ''}`);
    for (const [partition, p] of [...perPartition].sort(([a], [b]) => a - b)) out.line(`  partition ${partition}: ${p.count} records, offsets ${p.first}-${p.last}`);
    engine.close();
  }
  return 0;
}
