import { Admin, Consumer, MessagesStreamModes, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import type { ConsumerGroupJoinPayload, Message, MessagesStream } from '@platformatic/kafka';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { endOffsets, makeTempDir, removeTempDirs, sleep, startListener, waitUntil } from './listener-harness.test-support';
import { versionsSeen } from './dispatch-spy.test-support';
import type { SeenVersions } from './dispatch-spy.test-support';
import type { RunningListener } from './listener-harness.test-support';

// The real dispatcher, wrapped to note which version of each API the client chose.
const negotiated: SeenVersions = vi.hoisted(() => new Map());
vi.mock('./request-dispatcher', async (importOriginal) => (await import('./dispatch-spy.test-support')).recordVersions(await importOriginal(), negotiated));

/**
 * The listener against @platformatic/kafka 1.35 (the last line that runs on Node 20), which
 * speaks only flexible versions: ApiVersions 3, Metadata 9, Produce 8, Fetch 12, ListOffsets 5,
 * FindCoordinator 4, JoinGroup 6, SyncGroup 4, Heartbeat 4, LeaveGroup 4, OffsetCommit 8,
 * OffsetFetch 8, CreateTopics 7, InitProducerId 4.
 */

type StringMessage = Message<string, string, string, string>;

let running: RunningListener;
const closers: (() => Promise<unknown>)[] = [];

const base = () => ({ bootstrapBrokers: [running.bootstrap], retries: 5, retryDelay: 100 });

function admin(): Admin {
  const client = new Admin({ clientId: 'plt-admin', ...base() });
  closers.push(() => client.close());
  return client;
}

function producer(options: { idempotent?: boolean } = {}): Producer<string, string, string, string> {
  const client = new Producer({ clientId: 'plt-producer', ...base(), serializers: stringSerializers, ...options });
  closers.push(() => client.close());
  return client;
}

function consumer(groupId: string, clientId: string): Consumer<string, string, string, string> {
  const client = new Consumer({ clientId, groupId, ...base(), deserializers: stringDeserializers, sessionTimeout: 10_000, rebalanceTimeout: 10_000, heartbeatInterval: 300, maxWaitTime: 100 });
  closers.push(() => new Promise<void>((resolve) => client.close(true, () => resolve())));
  return client;
}

beforeAll(async () => {
  running = await startListener(makeTempDir('platformatic'), { initialRebalanceDelayMs: 300 });
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});

afterAll(async () => {
  await running?.stop();
  removeTempDirs();
});

/** Reads a stream in the background until stopped; the messages are collected. */
function collect(stream: MessagesStream<string, string, string, string>, onMessage: (m: StringMessage) => Promise<void> | void = () => {}): StringMessage[] {
  const got: StringMessage[] = [];
  void (async () => {
    for await (const message of stream) {
      got.push(message);
      await onMessage(message);
    }
  })().catch(() => {});
  return got;
}

describe('@platformatic/kafka against the listener', () => {
  it('creates topics through its admin (CreateTopics v7, with topic ids), lists and deletes them', async () => {
    const client = admin();
    const created = await client.createTopics({ topics: ['plt-created'], partitions: 3, replicas: 1 });
    const topicId = running.engine.describeTopic('plt-created')?.topicId;
    expect(created).toMatchObject([{ name: 'plt-created', partitions: 3, replicas: 1 }]);
    // Kafka's text form of the id (base64url) is what the engine keeps; the client shows it as a UUID.
    expect(created[0]!.id.replaceAll('-', '')).toBe(Buffer.from(topicId!, 'base64url').toString('hex'));
    await expect(client.createTopics({ topics: ['plt-created'], partitions: 3 })).rejects.toMatchObject({ errors: [expect.objectContaining({ apiCode: 36 })] });
    expect(await client.listTopics()).toContain('plt-created');
    await client.deleteTopics({ topics: ['plt-created'] });
    expect(running.engine.describeTopic('plt-created')).toBeUndefined();
  });

  it('produces (Produce v8) and consumes as a group (Fetch v12, JoinGroup v6, OffsetCommit v8): two members, every record once, commits honoured by the next member', async () => {
    const topic = 'plt-orders';
    const groupId = 'plt-group';
    await admin().createTopics({ topics: [topic], partitions: 4, replicas: 1 });
    const send = producer();
    const messages = Array.from({ length: 400 }, (_, i) => ({ topic, key: `key-${i}`, value: `value-${i}-ü`, headers: new Map([['seq', String(i)]]), partition: i % 4 }));
    const result = await send.send({ messages: messages.slice(0, 200), acks: -1 });
    expect(result.offsets?.length).toBeGreaterThan(0);
    await send.send({ messages: messages.slice(200) });
    expect([0, 1, 2, 3].map((p) => endOffsets(running.engine)[`${topic}-${p}`])).toEqual([100, 100, 100, 100]);

    const joins: { member: number; payload: ConsumerGroupJoinPayload }[] = [];
    const members = [consumer(groupId, 'plt-a'), consumer(groupId, 'plt-b')];
    members.forEach((m, i) => m.on('consumer:group:join', (payload: ConsumerGroupJoinPayload) => joins.push({ member: i, payload })));
    const streams = await Promise.all(members.map((m) => m.consume({ topics: [topic], mode: MessagesStreamModes.COMMITTED, fallbackMode: 'earliest', autocommit: false })));
    const got = streams.map((stream) => collect(stream, (m) => m.commit() as Promise<void>));
    await waitUntil('400 records', () => got[0]!.length + got[1]!.length >= 400);
    await waitUntil('commits up to the log end', () => {
      const committed = running.listener.groups.fetchOffsets({ groupId, partitions: null }).offsets;
      return committed.length === 4 && committed.every((o) => o.offset === running.engine.endOffset(topic, o.partition));
    });
    await sleep(300);
    const all = got.flat();
    const ids = all.map((m) => `${m.partition}/${m.offset}`);
    expect(new Set(ids).size).toBe(400);
    expect(ids.length).toBe(400);
    for (const m of all) {
      const i = Number(m.headers.get('seq'));
      expect([m.key, m.value, m.partition]).toEqual([messages[i]!.key, messages[i]!.value, messages[i]!.partition]);
    }
    // Per-partition order is the produce order.
    for (let p = 0; p < 4; p++) {
      const seqs = all.filter((m) => m.partition === p).sort((a, b) => Number(a.offset - b.offset)).map((m) => Number(m.headers.get('seq')));
      expect(seqs).toEqual(messages.filter((m) => m.partition === p).map((_, j) => p + 4 * j));
    }
    // Both members were in the group: the final generation split the four partitions between them.
    const latest = new Map(joins.map((j) => [j.member, j.payload]));
    const owned = [...latest.values()].map((p) => (p.assignments ?? []).flatMap((a) => a.partitions));
    expect(owned.flat().sort()).toEqual([0, 1, 2, 3]);

    for (const stream of streams) await stream.close();
    for (const close of closers.splice(0).reverse()) await close().catch(() => {});

    // The next member of the group starts from the commits: it sees only what comes after them.
    await producer().send({ messages: [{ topic, key: 'late', value: 'after-the-commits', partition: 2 }] });
    const next = consumer(groupId, 'plt-c');
    const stream = await next.consume({ topics: [topic], mode: MessagesStreamModes.COMMITTED, fallbackMode: 'earliest', autocommit: true });
    const later = collect(stream);
    await waitUntil('the late record', () => later.length >= 1);
    await sleep(400);
    expect(later.map((m) => [m.key, m.value, m.partition, m.offset])).toEqual([['late', 'after-the-commits', 2, 100n]]);
    await stream.close();
  });

  it('serves its idempotent producer (InitProducerId v4): one producer id, consecutive sequences per partition', async () => {
    const topic = 'plt-idempotent';
    await admin().createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    const send = producer({ idempotent: true });
    for (let round = 0; round < 4; round++) {
      await send.send({ messages: Array.from({ length: 5 + round }, (_, i) => ({ topic, key: `r${round}-${i}`, value: `v${i}`, partition: i % 2 })), acks: -1 });
    }
    const ids = new Set<number>();
    let total = 0;
    for (let p = 0; p < 2; p++) {
      let next = 0;
      for (const batch of running.engine.partitionWriter(topic, p).reader().batches(0)) {
        ids.add(batch.producerId);
        expect(batch.baseSequence).toBe(next);
        next += batch.recordCount;
        total += batch.recordCount;
      }
    }
    expect(total).toBe(5 + 6 + 7 + 8);
    expect(ids.size).toBe(1);
    expect([...ids][0]).toBeGreaterThanOrEqual(0);
  });

  it('negotiated the versions reference §6.4 lists for it', () => {
    expect(versionsSeen(negotiated)).toMatchObject({ ApiVersions: [3], Metadata: [9], Produce: [8], Fetch: [12], ListOffsets: [5], FindCoordinator: [4], JoinGroup: [6], SyncGroup: [4], Heartbeat: [4], LeaveGroup: [4], OffsetCommit: [8], OffsetFetch: [8], CreateTopics: [7], InitProducerId: [4] });
  });
});
