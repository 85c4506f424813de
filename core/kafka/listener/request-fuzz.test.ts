import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey } from '../protocol/api-keys';
import { API_DEFINITIONS } from '../protocol/api-registry';
import type { KnownApiKey, RequestInput } from '../protocol/api-registry';
import { decodeResponse } from '../protocol/frame';
import type { MessageSchema } from '../protocol/schema';
import { KCAT, requireKcat } from '../protocol/kcat.test-support';
import { messageArbitrary } from '../protocol/schema-arbitrary.test-support';
import { makeTempDir, removeTempDirs, runProcess, startListener } from './listener-harness.test-support';
import type { RunningListener } from './listener-harness.test-support';
import { RawClient } from './raw-client.test-support';

/**
 * Well-formed requests with arbitrary field values, every served API in every served version:
 * each must get an answer that decodes in that version (no handler may throw, hang or close the
 * connection), and the listener must stay up. Values are steered towards the data the listener
 * has (a real topic and partitions, plausible offsets and timeouts) so the deep paths run too.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_125);
const SAMPLES = Number(process.env.FUZZ_SAMPLES ?? 25);
const TOPIC = 'fuzz-data';

type Struct = Record<string, unknown>;

let running: RunningListener;
let serial = 0;

beforeAll(async () => {
  requireKcat();
  running = await startListener(makeTempDir('fuzz'), { initialRebalanceDelayMs: 20 });
  running.engine.createTopic(TOPIC, { partitions: 2 });
  running.engine.produce(TOPIC, Array.from({ length: 50 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), partition: i % 2 })));
});

afterAll(async () => {
  await running?.stop();
  removeTempDirs();
});

/** A small deterministic random source, so a failure reproduces with the same seed. */
function chooser(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

/**
 * Moves a random request towards what matters: the real topic and its partitions, offsets inside
 * the log, timeouts the test can wait for, group ids of its own (two random joins of one group
 * would wait for each other for a random rebalance timeout), and nothing destructive.
 */
function steer(apiKey: number, body: Struct, pick: (n: number) => number): Struct {
  const topicName = (name: unknown) => (pick(3) === 0 ? TOPIC : name);
  const partition = (p: unknown) => (pick(2) === 0 ? pick(3) : p);
  const offset = (o: unknown) => (pick(2) === 0 ? pick(60) : o);
  const eachTopic = (key: string, nameKey: string, each?: (t: Struct) => void) => {
    for (const t of (body[key] as Struct[] | null) ?? []) {
      t[nameKey] = topicName(t[nameKey]);
      each?.(t);
    }
  };
  switch (apiKey) {
    case ApiKey.Produce:
      body.acks = pick(4) === 0 ? 0 : body.acks;
      eachTopic('topicData', 'name', (t) => (t.partitionData as Struct[]).forEach((p) => (p.index = partition(p.index))));
      break;
    case ApiKey.Fetch:
      body.maxWaitMs = Math.abs(Number(body.maxWaitMs)) % 20;
      eachTopic('topics', 'topic', (t) =>
        (t.partitions as Struct[]).forEach((p) => {
          p.partition = partition(p.partition);
          p.fetchOffset = offset(p.fetchOffset);
        }),
      );
      break;
    case ApiKey.ListOffsets:
      eachTopic('topics', 'name', (t) => (t.partitions as Struct[]).forEach((p) => (p.partitionIndex = partition(p.partitionIndex))));
      break;
    case ApiKey.Metadata:
      eachTopic('topics', 'name');
      break;
    case ApiKey.OffsetCommit:
    case ApiKey.OffsetFetch:
      eachTopic('topics', 'name');
      break;
    case ApiKey.JoinGroup:
      body.groupId = `fuzz-${serial++}-${String(body.groupId)}`;
      if (pick(2) === 0) {
        body.sessionTimeoutMs = 6000 + pick(20_000);
        body.rebalanceTimeoutMs = 100 + pick(1000);
      }
      break;
    case ApiKey.CreateTopics:
      // Small topics only: a random name may be valid, and a random count may be thousands.
      for (const t of body.topics as Struct[]) t.numPartitions = pick(4) - 1;
      break;
    case ApiKey.DeleteTopics:
      body.topicNames = ((body.topicNames as string[] | null) ?? []).filter((n) => n !== TOPIC);
      for (const t of (body.topics as Struct[] | null) ?? []) if (t.name === TOPIC) t.name = 'not-the-data';
      break;
  }
  return body;
}

describe('well-formed requests with arbitrary values', () => {
  const cases = API_DEFINITIONS.flatMap((api) => Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => ({ api, version: api.minVersion + i })));

  it(`every API in every served version gets a decodable answer (${cases.length} API versions, ${SAMPLES} requests each, seed ${SEED})`, async () => {
    const pick = chooser(SEED);
    const failures: string[] = [];
    for (const { api, version } of cases) {
      const bodies = fc.sample(messageArbitrary(api.request as MessageSchema, version), { numRuns: SAMPLES, seed: SEED + api.key * 100 + version });
      let client = await RawClient.connect(running.port);
      for (const raw of bodies) {
        const body = steer(api.key, raw, pick);
        const where = `${api.name} v${version} ${JSON.stringify(body, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 400)}`;
        const { bytes, correlationId } = client.frame(api.key as KnownApiKey, version, body as RequestInput<KnownApiKey>);
        client.write(bytes);
        // acks=0 gets no answer at all. If it failed, Kafka's way of saying so is closing the
        // connection (the log says why); the next request then goes over a new one.
        if (api.key === ApiKey.Produce && body.acks === 0) {
          const closed = await Promise.race([client.closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 200))]);
          if (closed) {
            if (!running.logs.some((l) => l.includes('acks=0 produce failed'))) failures.push(`${where}: closed without saying why`);
            client = await RawClient.connect(running.port);
          }
          continue;
        }
        try {
          const answer = decodeResponse(await client.nextFrame(5000), api.key as KnownApiKey, version);
          if (answer.header.correlationId !== correlationId) failures.push(`${where}: answered with correlation id ${answer.header.correlationId}`);
        } catch (error) {
          failures.push(`${where}: ${(error as Error).message}`);
          break;
        }
      }
      client.destroy();
      if (failures.length > 5) break;
    }
    expect(failures, running.logs.filter((l) => l.startsWith('closing')).join('\n')).toEqual([]);
    expect(running.logs.filter((l) => l.includes('internal error'))).toEqual([]);
  });

  it('still serves a real client afterwards, with the data intact', async () => {
    const { stdout } = await runProcess(KCAT, ['-b', running.bootstrap, '-C', '-t', TOPIC, '-p', '0', '-o', 'beginning', '-c', '25', '-q', '-f', '%k=%s\\n']);
    expect(stdout.toString('utf8').split('\n').filter(Boolean)).toEqual(Array.from({ length: 25 }, (_, i) => `k${2 * i}=v${2 * i}`));
  });
});
