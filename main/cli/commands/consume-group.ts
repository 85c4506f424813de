import { EngineGroupStore } from '../../../core/group/engine-group-store';
import { EnginePartitionReader } from '../../../core/group/engine-partition-reader';
import { GroupConsumer } from '../../../core/group/group-consumer';
import { GroupCoordinator } from '../../../core/group/group-coordinator';
import { LogEngine } from '../../../core/log/engine/log-engine';
import { isoTime } from '../format';
import type { LineOutput } from '../output';
import { recordJson, textBytes } from '../record-json';

export interface GroupConsumeOptions {
  readonly group: string;
  readonly fromBeginning?: boolean;
  readonly follow?: boolean;
  readonly limit?: number;
  readonly json?: boolean;
}

/**
 * `tapedeck consume --group G`: consumes as a member of a consumer group, from the group's
 * committed offsets (or, for a new group, the start or end of the log), and commits what it
 * printed. The group is the engine's, stored in `__consumer_offsets`, so this needs the writer
 * lock; while a broker serves the directory, use a Kafka client against it instead.
 */
export async function consumeWithGroup(logDir: string, topic: string, options: GroupConsumeOptions, out: LineOutput, signal: AbortSignal): Promise<number> {
  const engine = LogEngine.open(logDir, { maintenanceIntervalMs: 0 });
  const coordinator = new GroupCoordinator({ store: new EngineGroupStore(engine), initialRebalanceDelayMs: 0 });
  const consumer = new GroupConsumer(coordinator, new EnginePartitionReader(engine), {
    groupId: options.group,
    topics: [topic],
    clientId: 'tapedeck-cli',
    autoOffsetReset: options.fromBeginning ? 'earliest' : 'latest',
  });
  const limit = options.limit ?? Infinity;
  let printed = 0;
  try {
    if (!engine.describeTopic(topic)) throw new Error(`unknown topic '${topic}' in ${engine.dir}`);
    while (printed < limit && !signal.aborted && !out.isClosed) {
      const records = await consumer.poll({ maxRecords: Math.min(500, limit - printed) });
      for (const record of records) {
        out.line(options.json ? recordJson({ ...record, timestampType: record.timestampType ?? 'CreateTime' }, topic, record.partition, false) : `${topic}-${record.partition}@${record.offset}  ${isoTime(record.timestamp)}  key=${textBytes(record.key)}  value=${textBytes(record.value)}`);
        printed++;
      }
      await consumer.commit();
      if (records.length > 0) continue;
      if (!options.follow) break;
      await waitForAny(engine, topic, signal);
    }
    return 0;
  } finally {
    await consumer.close();
    coordinator.close();
    engine.close();
  }
}

/** Waits until any partition of the topic grows, up to a second, so --follow stays responsive. */
async function waitForAny(engine: LogEngine, topic: string, signal: AbortSignal): Promise<void> {
  const partitions = engine.describeTopic(topic)?.partitions ?? 0;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort);
  await Promise.race(Array.from({ length: partitions }, (_, p) => engine.waitForAppend(topic, p, engine.endOffset(topic, p), 1000, stop.signal)));
  stop.abort();
  signal.removeEventListener('abort', onAbort);
}
