/**
 * W5 of the engine suite: 100,000 records of a 4-partition topic consumed by a group of 4
 * in-process consumers (core/group's GroupConsumer and GroupCoordinator) over the log engine: the
 * consumers read through a PartitionReader over engine.read, and the coordinator keeps its state
 * in the engine's `__consumer_offsets`. Every record must be delivered exactly once.
 */
import { GroupConsumer } from '../core/group/group-consumer';
import { GroupCoordinator } from '../core/group/group-coordinator';
import { EngineGroupStore } from '../core/group/engine-group-store';
import { EnginePartitionReader } from '../core/group/engine-partition-reader';
import type { PartitionReader } from '../core/group/partition-reader';
import { LogEngine } from '../core/log/engine/log-engine';
import { RecordPool, resultPair } from './engine-bench-data';
import { type BenchResult, RssPeak } from './measure';

const TOPIC = 'bench-group';
const PARTITIONS = 4;
const CONSUMERS = 4;
const RECORDS = 100_000;
/** Kafka's max.poll.records default. */
const MAX_POLL_RECORDS = 500;

/** The consumers' view of the engine's partitions. */
/** Polls until the whole group has consumed every record, committing after each non-empty poll. */
async function consume(consumer: GroupConsumer, seen: Uint8Array[], progress: { delivered: number; duplicates: number; firstAt: bigint }, rss: RssPeak): Promise<void> {
  let polls = 0;
  while (progress.delivered < RECORDS) {
    const records = await consumer.poll({ maxRecords: MAX_POLL_RECORDS });
    if (records.length > 0 && progress.firstAt === 0n) progress.firstAt = process.hrtime.bigint();
    for (const r of records) {
      const marks = seen[r.partition]!;
      if (marks[r.offset]! > 0) progress.duplicates++;
      else progress.delivered++;
      marks[r.offset]!++;
      // Touch what a consumer would use.
      if (r.key!.length + r.value!.length === 0) throw new Error('an empty record');
    }
    if (records.length > 0) await consumer.commit();
    // Let the other consumers (and the coordinator's timers) run between polls.
    else await new Promise((resolve) => setImmediate(resolve));
    if (++polls % 16 === 0) rss.sample();
  }
}

/**
 * One group (a new group id each run, so it starts from nothing) of 4 consumers reading the topic
 * from the earliest offset until every record was delivered. Timed from the first poll, so the
 * group's formation (join, assignment, sync) is included.
 */
async function consumeOnce(coordinator: GroupCoordinator, reader: PartitionReader, groupId: string, rss: RssPeak): Promise<{ seconds: number; firstRecordMs: number; generation: number }> {
  const perPartition = RECORDS / PARTITIONS;
  const seen = Array.from({ length: PARTITIONS }, () => new Uint8Array(perPartition));
  const progress = { delivered: 0, duplicates: 0, firstAt: 0n };
  const consumers = Array.from({ length: CONSUMERS }, (_, i) => new GroupConsumer(coordinator, reader, { groupId, topics: [TOPIC], autoOffsetReset: 'earliest', clientId: `bench-${i}` }));
  const start = process.hrtime.bigint();
  await Promise.all(consumers.map((c) => consume(c, seen, progress, rss)));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const generation = Math.max(...consumers.map((c) => c.generationId));
  const owned = consumers.map((c) => c.assignment().length);
  await Promise.all(consumers.map((c) => c.close()));
  const missing = seen.reduce((sum, marks) => sum + marks.filter((m) => m === 0).length, 0);
  if (missing > 0 || progress.duplicates > 0) throw new Error(`W5 (${groupId}): ${missing} records never delivered, ${progress.duplicates} delivered twice`);
  if (owned.some((n) => n !== 1)) throw new Error(`W5 (${groupId}): partitions per consumer ${owned.join(', ')}, expected one each`);
  return { seconds, firstRecordMs: Number(progress.firstAt - start) / 1e6, generation };
}

export async function runGroupWorkload(dir: string): Promise<BenchResult[]> {
  const engine = LogEngine.open(dir, { create: true, maintenanceIntervalMs: 0 });
  try {
    engine.createTopic(TOPIC, { partitions: PARTITIONS });
    const pool = new RecordPool();
    const perPartition = RECORDS / PARTITIONS;
    const now = Date.now();
    for (let p = 0; p < PARTITIONS; p++) {
      for (let first = 0; first < perPartition; first += 1000) engine.appendRecords(TOPIC, p, pool.batch(p * perPartition + first, 1000, now + first));
    }
    engine.flush();

    const reader = new EnginePartitionReader(engine);
    // The initial rebalance delay (3 s by default) would only measure waiting: the 4 join together.
    const coordinator = new GroupCoordinator({ store: new EngineGroupStore(engine), initialRebalanceDelayMs: 0 });
    const rss = new RssPeak();
    // A warm-up group, then the median of three.
    const runs = [];
    for (let run = 0; run < 4; run++) runs.push(await consumeOnce(coordinator, reader, `bench-${run}`, rss));
    const timed = runs.slice(1).sort((a, b) => a.seconds - b.seconds);
    const median = timed[1]!;
    process.stderr.write(
      `engine: W5 runs ${timed.map((r) => `${Math.round(r.seconds * 1000)} ms`).join(', ')}; the median run's group formed in ${median.generation} generation(s), first record after ${Math.round(median.firstRecordMs)} ms\n`,
    );
    return resultPair('W5-group-4-consumers-100k', RECORDS, median.seconds, null, rss, { ratio: null, recordsPerSecond: 1_000_000 });
  } finally {
    engine.close();
  }
}
