import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import type { Consumer, KafkaConfig, LogEntry } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { codecName } from '../../log/compression/compression-codec';
import { endOffsets, makeTempDir, removeTempDirs, sleep, startListener, waitUntil } from './listener-harness.test-support';
import { versionsSeen } from './dispatch-spy.test-support';
import type { SeenVersions } from './dispatch-spy.test-support';
import type { RunningListener } from './listener-harness.test-support';

// The real dispatcher, wrapped to note which version of each API the client chose.
const negotiated: SeenVersions = vi.hoisted(() => new Map());
vi.mock('./request-dispatcher', async (importOriginal) => (await import('./dispatch-spy.test-support')).recordVersions(await importOriginal(), negotiated));

/**
 * The listener against kafkajs 2.2.4 (ApiVersions 2, Metadata 6, Produce 7, Fetch 11, JoinGroup 5,
 * OffsetCommit 5, OffsetFetch 4, CreateTopics 3, InitProducerId 1): producers plain, compressed
 * and idempotent, a consumer group of three that loses a member mid-stream, and committed
 * offsets that survive a restart of the listener and the engine.
 */

let running: RunningListener;
const clientLogs: string[] = [];
const toClose: { disconnect(): Promise<void> }[] = [];

function kafkaFor(target: RunningListener, clientId: string): Kafka {
  const config: KafkaConfig = {
    clientId,
    brokers: [target.bootstrap],
    logLevel: logLevel.WARN,
    // kafkajs logs rebalances as warnings; they are kept to explain a failure, not printed.
    logCreator: () => (entry: LogEntry) => void clientLogs.push(`${entry.namespace} ${entry.log.message} ${entry.log.error ?? ''}`),
    retry: { initialRetryTime: 50, retries: 8 },
  };
  return new Kafka(config);
}

function track<T extends { disconnect(): Promise<void> }>(client: T): T {
  toClose.push(client);
  return client;
}

beforeAll(async () => {
  running = await startListener(makeTempDir('kafkajs'), { initialRebalanceDelayMs: 300 });
});

afterEach(async () => {
  for (const client of toClose.splice(0).reverse()) await client.disconnect().catch(() => {});
});

afterAll(async () => {
  await running?.stop();
  removeTempDirs();
});

describe('kafkajs against the listener', () => {
  it('creates a topic through its admin (CreateTopics v3) and sees it in metadata', async () => {
    const admin = track(kafkaFor(running, 'admin').admin());
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'kjs-created', numPartitions: 4 }], waitForLeaders: true })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'kjs-created', numPartitions: 4 }] })).toBe(false);
    const metadata = await admin.fetchTopicMetadata({ topics: ['kjs-created'] });
    expect(metadata.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);
    expect(running.engine.describeTopic('kjs-created')?.partitions).toBe(4);
    const offsets = await admin.fetchTopicOffsets('kjs-created');
    expect(offsets.map((o) => [o.partition, o.low, o.high]).sort()).toEqual([0, 1, 2, 3].map((p) => [p, '0', '0']));
  });

  it('produces plain and gzip-compressed batches with headers, and consumes them back exactly', async () => {
    const kafka = kafkaFor(running, 'plain');
    const admin = track(kafka.admin());
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kjs-plain', numPartitions: 2 }] });
    const producer = track(kafka.producer());
    await producer.connect();
    const messages = Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, value: `v${i}-é`, headers: { seq: String(i), bin: Buffer.from([i & 0xff, 0xff]) }, partition: i % 2 }));
    await producer.send({ topic: 'kjs-plain', messages: messages.slice(0, 250), acks: -1 });
    await producer.send({ topic: 'kjs-plain', messages: messages.slice(250), compression: CompressionTypes.GZIP, acks: 1 });
    const codecs = new Set<string>();
    for (let p = 0; p < 2; p++) for (const batch of running.engine.partitionWriter('kjs-plain', p).reader().batches(0)) codecs.add(codecName(batch.compression));
    expect([...codecs].sort()).toEqual(['gzip', 'none']);

    const consumer = track(kafka.consumer({ groupId: 'kjs-plain-reader', maxWaitTimeInMs: 100, heartbeatInterval: 500 }));
    await consumer.connect();
    await consumer.subscribe({ topic: 'kjs-plain', fromBeginning: true });
    const got: { partition: number; offset: string; key: string; value: string; seq: string; bin: string }[] = [];
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        got.push({ partition, offset: message.offset, key: String(message.key), value: String(message.value), seq: String(message.headers!.seq), bin: (message.headers!.bin as Buffer).toString('hex') });
      },
    });
    await waitUntil('500 records', () => got.length >= 500);
    for (let p = 0; p < 2; p++) {
      const mine = got.filter((r) => r.partition === p);
      const want = messages.filter((m) => m.partition === p);
      expect(mine.map((r) => r.offset)).toEqual(want.map((_, i) => String(i)));
      expect(mine.map((r) => [r.key, r.value, r.seq, r.bin])).toEqual(want.map((m) => [m.key, m.value, m.headers.seq, m.headers.bin.toString('hex')]));
    }
  });

  it('serves an idempotent producer: InitProducerId, then batches carrying its id and consecutive sequences', async () => {
    const kafka = kafkaFor(running, 'idempotent');
    const producer = track(kafka.producer({ idempotent: true, maxInFlightRequests: 1 }));
    await producer.connect();
    const admin = track(kafka.admin());
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kjs-idempotent', numPartitions: 2 }] });
    for (let round = 0; round < 5; round++) {
      await producer.send({ topic: 'kjs-idempotent', acks: -1, messages: Array.from({ length: 10 + round }, (_, i) => ({ key: `r${round}-${i}`, value: `v${round}-${i}`, partition: (round + i) % 2 })) });
    }
    const producerIds = new Set<number>();
    let total = 0;
    for (let p = 0; p < 2; p++) {
      let nextSequence = 0;
      for (const batch of running.engine.partitionWriter('kjs-idempotent', p).reader().batches(0)) {
        producerIds.add(batch.producerId);
        expect(batch.producerEpoch).toBe(0);
        expect(batch.baseSequence, `partition ${p} batch at ${batch.baseOffset}`).toBe(nextSequence);
        nextSequence += batch.recordCount;
        total += batch.recordCount;
      }
    }
    expect(total).toBe(10 + 11 + 12 + 13 + 14);
    expect(producerIds.size).toBe(1);
    expect([...producerIds][0]).toBeGreaterThanOrEqual(0);
  });

  it('balances a group of three, rebalances when one leaves mid-stream, delivers every record once, and resumes from the commits after a restart', async () => {
    const topic = 'kjs-orders';
    const groupId = 'kjs-three';
    const PARTITIONS = 6;
    const TOTAL = 3000;
    const kafka = kafkaFor(running, 'group');
    const admin = track(kafka.admin());
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });

    const deliveries = new Map<string, number>();
    const byMember: number[] = [0, 0, 0];
    const joins: { member: number; generation: number; partitions: number[] }[] = [];
    const consumers: Consumer[] = [];
    for (let m = 0; m < 3; m++) {
      const consumer = track(kafka.consumer({ groupId, maxWaitTimeInMs: 100, heartbeatInterval: 300, sessionTimeout: 10_000, rebalanceTimeout: 10_000 }));
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        joins.push({ member: m, generation: joins.length, partitions: event.payload.memberAssignment[topic] ?? [] });
      });
      consumers.push(consumer);
    }
    await Promise.all(
      consumers.map(async (consumer, m) => {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ partition, message }) => {
            const id = `${partition}/${message.offset}`;
            deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
            byMember[m]!++;
          },
        });
      }),
    );
    // All three in one generation, two partitions each.
    await waitUntil('three members with two partitions each', () => {
      const latest = new Map(joins.map((j) => [j.member, j.partitions]));
      return latest.size === 3 && [...latest.values()].every((p) => p.length === 2);
    });

    const producer = track(kafka.producer());
    await producer.connect();
    let produced = 0;
    let left = false;
    let producedWhenLeft = -1;
    for (let batch = 0; batch < 30; batch++) {
      await producer.send({ topic, messages: Array.from({ length: TOTAL / 30 }, (_, i) => ({ key: `order-${batch}-${i}`, value: `payload-${produced + i}` })) });
      produced += TOTAL / 30;
      if (!left && deliveries.size >= TOTAL / 3) {
        // A clean leave mid-stream: kafkajs commits what it processed, then sends LeaveGroup.
        left = true;
        producedWhenLeft = produced;
        await consumers[2]!.disconnect();
      }
      await sleep(20);
    }
    // The member left while records were still being produced: the rebalance happened mid-stream.
    expect(producedWhenLeft).toBeGreaterThan(0);
    expect(producedWhenLeft).toBeLessThan(TOTAL);
    await waitUntil('the two remaining members to share all six partitions', () => {
      const latest = new Map(joins.filter((j) => j.member < 2).map((j) => [j.member, j.partitions]));
      return latest.size === 2 && [...latest.values()].flat().sort().join() === '0,1,2,3,4,5';
    });
    await waitUntil(`all ${TOTAL} records`, () => deliveries.size >= TOTAL, 30_000);
    const ends = endOffsets(running.engine);
    const committedAll = () => {
      const offsets = running.listener.groups.fetchOffsets({ groupId, partitions: null }).offsets.filter((o) => o.topic === topic);
      return offsets.length === PARTITIONS && offsets.every((o) => o.offset === ends[`${topic}-${o.partition}`]);
    };
    await waitUntil('commits up to the log end', committedAll);
    await sleep(500);

    const duplicates = [...deliveries].filter(([, n]) => n > 1);
    expect(duplicates, clientLogs.join('\n')).toEqual([]);
    expect(deliveries.size).toBe(TOTAL);
    expect(byMember.every((n) => n > 0)).toBe(true);
    await consumers[0]!.disconnect();
    await consumers[1]!.disconnect();
    expect(running.listener.groups.describeGroup(groupId)).toMatchObject({ state: 'Empty', members: [] });

    // Restart: the listener stops and the directory is closed, then both are opened anew.
    for (const client of toClose.splice(0).reverse()) await client.disconnect().catch(() => {});
    const dir = running.dir;
    await running.stop();
    running = await startListener(dir, { initialRebalanceDelayMs: 300 });
    const restored = running.listener.groups.fetchOffsets({ groupId, partitions: null }).offsets;
    expect(Object.fromEntries(restored.map((o) => [`${o.topic}-${o.partition}`, o.offset]))).toEqual(Object.fromEntries(Object.entries(ends).filter(([k]) => k.startsWith(topic))));

    const again = kafkaFor(running, 'after-restart');
    const laterProducer = track(again.producer());
    await laterProducer.connect();
    const later = Array.from({ length: 120 }, (_, i) => ({ key: `later-${i}`, value: `later-${i}` }));
    await laterProducer.send({ topic, messages: later });
    const fresh = track(again.consumer({ groupId, maxWaitTimeInMs: 100, heartbeatInterval: 300 }));
    await fresh.connect();
    await fresh.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await fresh.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    await waitUntil('the records produced after the restart', () => seen.length >= later.length);
    await sleep(500);
    expect(seen.sort()).toEqual(later.map((m) => m.value).sort());
  });

  it('negotiated the versions reference §6.4 lists for it', () => {
    expect(versionsSeen(negotiated)).toMatchObject({ ApiVersions: [2], Metadata: [6], Produce: [7], Fetch: [11], ListOffsets: [3], FindCoordinator: [2], JoinGroup: [5], SyncGroup: [3], Heartbeat: [3], LeaveGroup: [3], OffsetCommit: [5], OffsetFetch: [4], CreateTopics: [3], InitProducerId: [1] });
  });
});
