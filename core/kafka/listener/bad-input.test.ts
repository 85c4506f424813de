import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../log/batch/record-batch-encoder';
import { ApiKey } from '../protocol/api-keys';
import type { KnownApiKey, RequestInput } from '../protocol/api-registry';
import { ErrorCode } from '../protocol/error-codes';
import { decodeResponse } from '../protocol/frame';
import { KCAT, requireKcat } from '../protocol/kcat.test-support';
import { KCAT_RECORD_FORMAT, parseKcatRecords } from './kcat-records.test-support';
import { endOffsets, makeTempDir, removeTempDirs, runProcess, startListener, startProcess, waitUntil } from './listener-harness.test-support';
import type { RunningListener } from './listener-harness.test-support';
import { RawClient } from './raw-client.test-support';

/**
 * Whatever a client sends, the listener stays up: the offending connection gets the protocol's
 * error answer or is closed with a log line naming the reason, other connections carry on, and
 * nothing of a rejected request reaches the log.
 */

const MAX_FRAME_BYTES = 64 * 1024;

let running: RunningListener;
/** A connection opened first and used last: the abuse in between must not disturb it. */
let bystander: RawClient;
let before: { ends: Record<string, number>; topics: string[]; logLines: number };

const topics = () => running.engine.listTopics().map((t) => t.name).filter((n) => !n.startsWith('__'));
const linesSince = (from: number) => running.logs.slice(from);

/** A request frame with any header values, for versions and keys the codec will not encode. */
function handMadeFrame(apiKey: number, apiVersion: number, correlationId: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const clientId = Buffer.from('hand-made');
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  const payload = Buffer.concat([header, clientId, body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  return Buffer.concat([size, payload]);
}

function sizePrefix(size: number): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(size, 0);
  return prefix;
}

async function expectClosed(client: RawClient, reason: RegExp, from: number): Promise<void> {
  await Promise.race([client.closed, new Promise((_, reject) => setTimeout(() => reject(new Error(`connection still open; log: ${linesSince(from).join(' | ')}`)), 5000))]);
  await waitUntil(`a log line matching ${reason}`, () => linesSince(from).some((line) => reason.test(line)), 2000);
}

function batch(records: number, options: { producerId?: number; baseSequence?: number } = {}): Buffer {
  return encodeRecordBatch({
    baseOffset: 0,
    records: Array.from({ length: records }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`value-${i}`), timestamp: 1_700_000_000_000 + i })),
    producerId: options.producerId ?? -1,
    producerEpoch: options.producerId === undefined ? -1 : 0,
    baseSequence: options.baseSequence ?? -1,
  });
}

async function produce(client: RawClient, version: number, topic: string, partition: number, records: Buffer, acks = -1) {
  return client.request(ApiKey.Produce, version, { acks, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] });
}

beforeAll(async () => {
  requireKcat();
  running = await startListener(makeTempDir('bad-input'), { maxFrameBytes: MAX_FRAME_BYTES, autoCreateTopics: false });
  running.engine.createTopic('target', { partitions: 2 });
  running.engine.createTopic('healthy', { partitions: 2 });
  running.engine.produce('target', [{ key: Buffer.from('seed'), value: Buffer.from('seed'), partition: 0 }]);
  bystander = await RawClient.connect(running.port);
  expect((await bystander.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'bystander', clientSoftwareVersion: '1' })).errorCode).toBe(0);
});

beforeEach(() => {
  before = { ends: endOffsets(running.engine), topics: topics(), logLines: running.logs.length };
});

afterEach(async () => {
  // Nothing of a rejected request was written, no topic appeared, no handler failed, and the
  // listener still answers a new connection.
  expect(endOffsets(running.engine)).toEqual(before.ends);
  expect(topics()).toEqual(before.topics);
  expect(linesSince(before.logLines).filter((line) => line.includes('internal error'))).toEqual([]);
  const probe = await RawClient.connect(running.port);
  const metadata = await probe.request(ApiKey.Metadata, 9, { topics: [{ name: 'target' }], allowAutoTopicCreation: false });
  expect(metadata.topics[0]).toMatchObject({ name: 'target', errorCode: 0 });
  probe.destroy();
});

afterAll(async () => {
  bystander?.destroy();
  await running?.stop();
  removeTempDirs();
});

describe('protocol-level bad input', () => {
  it('answers ApiVersions v99 with UNSUPPORTED_VERSION and only its own entry (header v0, body v0), and keeps the connection', async () => {
    const client = await RawClient.connect(running.port);
    client.write(handMadeFrame(ApiKey.ApiVersions, 99, 41, Buffer.from('whatever a future version carries')));
    const answer = decodeResponse(await client.nextFrame(), ApiKey.ApiVersions, 0);
    expect(answer.header.correlationId).toBe(41);
    expect(answer.body).toMatchObject({ errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 3 }] });
    // The retry the client then makes is served on the same connection.
    expect((await client.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' })).errorCode).toBe(0);
    expect(client.isClosed).toBe(false);
    client.destroy();
  });

  it('closes the connection on an unsupported version of another API (Metadata v99), naming it', async () => {
    const client = await RawClient.connect(running.port);
    client.write(handMadeFrame(ApiKey.Metadata, 99, 7));
    await expectClosed(client, /Metadata v99 is not supported; this listener serves v0-9/, before.logLines);
  });

  it('closes the connection on an unknown API key (999), naming it', async () => {
    const client = await RawClient.connect(running.port);
    client.write(handMadeFrame(999, 0, 8));
    await expectClosed(client, /unknown API key 999/, before.logLines);
  });

  it('answers pipelined requests in order up to a bad one, then closes', async () => {
    const client = await RawClient.connect(running.port);
    const first = client.frame(ApiKey.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
    const second = client.frame(ApiKey.Metadata, 9, { topics: null, allowAutoTopicCreation: false });
    const after = client.frame(ApiKey.Metadata, 9, { topics: null, allowAutoTopicCreation: false });
    client.write(Buffer.concat([first.bytes, second.bytes, handMadeFrame(4242, 1, 99), after.bytes]));
    expect(decodeResponse(await client.nextFrame(), ApiKey.ApiVersions, 3).header.correlationId).toBe(first.correlationId);
    const metadata = decodeResponse(await client.nextFrame(), ApiKey.Metadata, 9);
    expect(metadata.header.correlationId).toBe(second.correlationId);
    expect(metadata.body.topics.map((t) => t.name).sort()).toContain('target');
    await expectClosed(client, /unknown API key 4242/, before.logLines);
    await expect(client.nextFrame()).rejects.toThrow(/closed/);
  });

  it('closes on a size prefix over maxFrameBytes without waiting for the bytes, and on a negative one', async () => {
    const big = await RawClient.connect(running.port);
    big.write(sizePrefix(MAX_FRAME_BYTES + 1));
    await expectClosed(big, new RegExp(`frame size ${MAX_FRAME_BYTES + 1} exceeds the ${MAX_FRAME_BYTES}-byte limit`), before.logLines);
    const negative = await RawClient.connect(running.port);
    negative.write(sizePrefix(-5));
    await expectClosed(negative, /negative frame size -5/, before.logLines);
    // At the limit exactly is allowed: a frame of MAX_FRAME_BYTES is read (and then judged on its content).
    const atLimit = await RawClient.connect(running.port);
    atLimit.write(handMadeFrame(ApiKey.Metadata, 99, 3, Buffer.alloc(MAX_FRAME_BYTES - 19)));
    await expectClosed(atLimit, /Metadata v99 is not supported/, before.logLines);
  });

  it('logs a frame cut short when the client goes away mid-frame, and closes on frames whose header or body is cut short', async () => {
    const midFrame = await RawClient.connect(running.port);
    const whole = midFrame.frame(ApiKey.Metadata, 9, { topics: [{ name: 'target' }], allowAutoTopicCreation: false }).bytes;
    midFrame.write(whole.subarray(0, 10));
    midFrame.end();
    await expectClosed(midFrame, new RegExp(`stream ended 6 bytes into a ${whole.length - 4}-byte frame`), before.logLines);

    const midPrefix = await RawClient.connect(running.port);
    midPrefix.write(Buffer.from([0, 0]));
    midPrefix.end();
    await expectClosed(midPrefix, /stream ended 2 bytes into the 4-byte size prefix/, before.logLines);

    const shortHeader = await RawClient.connect(running.port);
    shortHeader.write(Buffer.concat([sizePrefix(3), Buffer.from([0, 3, 0])]));
    await expectClosed(shortHeader, /malformed-header/, before.logLines);

    // A produce frame whose size prefix is honest but whose body stops inside the records.
    const shortBody = await RawClient.connect(running.port);
    const produceFrame = shortBody.frame(ApiKey.Produce, 7, { acks: -1, timeoutMs: 1000, topicData: [{ name: 'target', partitionData: [{ index: 0, records: batch(3) }] }] }).bytes;
    const cut = produceFrame.subarray(0, produceFrame.length - 20);
    shortBody.write(Buffer.concat([sizePrefix(cut.length - 4), cut.subarray(4)]));
    await expectClosed(shortBody, /malformed-body: .*Produce/i, before.logLines);
  });

  it('survives random bytes on many connections while kcat produces and consumes on others', async () => {
    const work = makeTempDir('bad-input-kcat');
    const lines = Array.from({ length: 20_000 }, (_, i) => `key-${i}\tvalue-${i}-${'z'.repeat(i % 50)}\n`).join('');
    writeFileSync(path.join(work, 'in.txt'), lines);
    const producing = startProcess(KCAT, ['-b', running.bootstrap, '-P', '-t', 'healthy', '-K', '\t', '-l', path.join(work, 'in.txt'), '-X', 'linger.ms=5', '-X', 'message.max.bytes=60000']);

    let seed = 0x5eed;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const noise: Promise<void>[] = [];
    for (let i = 0; i < 150; i++) {
      noise.push(
        (async () => {
          const client = await RawClient.connect(running.port);
          const junk = randomBytes(1 + Math.floor(random() * 3000));
          const kind = i % 3;
          // 0: junk with an honest size prefix (a whole frame of garbage); 1: junk with its own
          // first 4 bytes as the prefix; 2: an honest prefix but the frame stops early.
          if (kind === 0) client.write(Buffer.concat([sizePrefix(junk.length), junk]));
          else if (kind === 1) client.write(junk);
          else client.write(Buffer.concat([sizePrefix(junk.length + 10), junk]));
          client.end();
          await Promise.race([client.closed, new Promise((resolve) => setTimeout(resolve, 5000))]);
          // The listener must have closed it (or the client's end did); either way it is gone.
          client.destroy();
        })(),
      );
    }
    await Promise.all(noise);
    const produced = await producing.done;
    expect(produced.code, produced.stderr + linesSince(before.logLines).filter((l) => !/stream ended|exceeds|negative|malformed|unknown API/.test(l)).join('\n')).toBe(0);
    expect(running.engine.endOffset('healthy', 0) + running.engine.endOffset('healthy', 1) - before.ends['healthy-0']! - before.ends['healthy-1']!).toBe(20_000);
    before.ends = endOffsets(running.engine);

    const consumed = await runProcess(KCAT, ['-b', running.bootstrap, '-C', '-t', 'healthy', '-o', 'beginning', '-e', '-q', '-f', KCAT_RECORD_FORMAT]);
    const got = parseKcatRecords(consumed.stdout).map((r) => `${r.key!.toString()}\t${r.value!.toString()}\n`);
    expect(got.sort()).toEqual(lines.split(/(?<=\n)/).sort());
    // Every junk connection that was not an honest, complete frame was logged with its reason.
    const reasons = linesSince(before.logLines);
    expect(reasons.filter((l) => /stream ended/.test(l)).length).toBeGreaterThanOrEqual(50);
    expect(reasons.every((l) => /^closing connection [\d.]+:\d+: /.test(l))).toBe(true);
  });

  it('keeps the connection it opened first working through all of the above', async () => {
    const answer = await bystander.request(ApiKey.Metadata, 4, { topics: [{ name: 'healthy' }], allowAutoTopicCreation: false });
    expect(answer.topics[0]).toMatchObject({ name: 'healthy', errorCode: 0 });
  });
});

describe('record-level bad input', () => {
  it('refuses a batch with a corrupt CRC (CORRUPT_MESSAGE) and writes nothing, on every Produce version with v2 records', async () => {
    const client = await RawClient.connect(running.port);
    for (const version of [3, 5, 7, 8]) {
      const corrupt = batch(3);
      corrupt[corrupt.length - 2]! ^= 0xff;
      const answer = await produce(client, version, 'target', 0, corrupt);
      expect(answer.responses[0]!.partitionResponses[0]).toMatchObject({ index: 0, errorCode: ErrorCode.CORRUPT_MESSAGE, baseOffset: -1 });
    }
    expect(client.isClosed).toBe(false);
    client.destroy();
  });

  it('closes the connection on an acks=0 Produce it refused (no response can say so, as in Kafka), writing nothing', async () => {
    const before = running.engine.endOffset('target', 0);
    const client = await RawClient.connect(running.port);
    const corrupt = batch(2);
    corrupt[corrupt.length - 1]! ^= 0x01;
    const silent = client.frame(ApiKey.Produce, 7, { acks: 0, timeoutMs: 1000, topicData: [{ name: 'target', partitionData: [{ index: 0, records: corrupt }] }] });
    client.write(silent.bytes);
    await client.closed;
    expect(running.logs.some((l) => l.includes('acks=0 produce failed') && l.includes('target-0'))).toBe(true);
    expect(running.engine.endOffset('target', 0)).toBe(before);
  });

  it('answers a request that shares a chunk with an oversize size prefix, then closes with the reason', async () => {
    const limited = await startListener(makeTempDir('tapedeck-limit-'), { maxFrameBytes: 4096 });
    try {
      const client = await RawClient.connect(limited.port);
      const first = client.frame(ApiKey.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
      const oversize = Buffer.alloc(8);
      oversize.writeInt32BE(1 << 20, 0);
      client.write(Buffer.concat([first.bytes, oversize]));
      expect(decodeResponse(await client.nextFrame(), ApiKey.ApiVersions, 3).header.correlationId).toBe(first.correlationId);
      await client.closed;
      expect(limited.logs.some((l) => l.includes('exceeds the 4096-byte limit'))).toBe(true);
    } finally {
      await limited.stop();
    }
  });

  it('CreateTopics with validateOnly checks everything a creation would, and creates nothing', async () => {
    const client = await RawClient.connect(running.port);
    const topic = (name: string, configs: { name: string; value: string }[] = []) => ({ name, numPartitions: 2, replicationFactor: 1, assignments: [], configs });
    const answer = await client.request(ApiKey.CreateTopics, 7, {
      topics: [topic('would-be-fine'), topic('bad/name'), topic('target'), topic('bad-config', [{ name: 'retention.ms', value: 'soon' }])],
      timeoutMs: 1000,
      validateOnly: true,
    });
    expect(answer.topics.map((t) => t.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.TOPIC_ALREADY_EXISTS, ErrorCode.INVALID_CONFIG]);
    expect(answer.topics[3]!.errorMessage).toContain('retention.ms');
    expect(running.engine.describeTopic('would-be-fine')).toBeUndefined();
    client.destroy();
  });

  it('refuses two batches in one partition payload, a truncated batch, and a payload with no batch, writing nothing', async () => {
    const client = await RawClient.connect(running.port);
    const two = await produce(client, 7, 'target', 0, Buffer.concat([batch(2), batch(2)]));
    expect(two.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_RECORD, baseOffset: -1 });
    const truncated = await produce(client, 8, 'target', 0, batch(2).subarray(0, 40));
    expect(truncated.responses[0]!.partitionResponses[0]!.errorCode).not.toBe(ErrorCode.NONE);
    const empty = await produce(client, 7, 'target', 0, Buffer.alloc(0));
    expect(empty.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    // A legacy (magic 1) message set is refused rather than converted.
    const legacy = batch(1);
    legacy[16] = 1;
    const old = await produce(client, 7, 'target', 0, legacy);
    expect(old.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    // One good partition next to a bad one in the same request: only the good one is written.
    const mixed = await client.request(ApiKey.Produce, 7, {
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: 'target', partitionData: [{ index: 0, records: Buffer.concat([batch(1), batch(1)]) }, { index: 1, records: batch(4) }] }],
    });
    expect(mixed.responses[0]!.partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset])).toEqual([
      [0, ErrorCode.INVALID_RECORD, -1],
      [1, ErrorCode.NONE, before.ends['target-1']],
    ]);
    before.ends['target-1']! += 4;
    client.destroy();
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for Produce, Fetch and ListOffsets of unknown topics and partitions, creating nothing', async () => {
    const client = await RawClient.connect(running.port);
    for (const [topic, partition] of [['no-such-topic', 0], ['target', 7], ['target', -1]] as const) {
      const produced = await produce(client, 7, topic, partition, batch(1));
      expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      for (const version of [4, 11, 12]) {
        const fetched = await client.request(ApiKey.Fetch, version, {
          maxWaitMs: 5000,
          minBytes: 1,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          topics: [{ topic, partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
        });
        expect(fetched.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      }
      for (const version of [1, 2, 5]) {
        const listed = await client.request(ApiKey.ListOffsets, version, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: partition, timestamp: -1 }] }] });
        expect(listed.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      }
    }
    client.destroy();
  });

  it('answers OFFSET_OUT_OF_RANGE for a fetch past the log end without waiting', async () => {
    const client = await RawClient.connect(running.port);
    const started = Date.now();
    const fetched = await client.request(ApiKey.Fetch, 11, {
      maxWaitMs: 10_000,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [{ topic: 'target', partitions: [{ partition: 0, fetchOffset: 1_000_000, partitionMaxBytes: 1 << 20 }] }],
    });
    expect(fetched.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(Date.now() - started).toBeLessThan(2000);
    client.destroy();
  });

  it('stores a retried idempotent batch once (same offsets back) and refuses a sequence gap', async () => {
    const client = await RawClient.connect(running.port);
    const init = await client.request(ApiKey.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    expect(init.errorCode).toBe(0);
    const first = batch(3, { producerId: init.producerId, baseSequence: 0 });
    const sent = await produce(client, 7, 'target', 1, first);
    const again = await produce(client, 7, 'target', 1, first);
    expect(sent.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(again.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: sent.responses[0]!.partitionResponses[0]!.baseOffset });
    expect(running.engine.endOffset('target', 1)).toBe(before.ends['target-1']! + 3);
    before.ends['target-1']! += 3;
    const gap = await produce(client, 7, 'target', 1, batch(1, { producerId: init.producerId, baseSequence: 10 }));
    expect(gap.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    client.destroy();
  });

  it('answers int64 fields beyond 2^53 (Long.MAX_VALUE) without failing: commit offset, fetch offset, list-offsets time', async () => {
    const client = await RawClient.connect(running.port);
    // Encoded with a marker (the codec refuses unsafe integers), then the marker's bytes become 2^63-1.
    const MARKER = 0x1234_5678_9abc;
    const withLongMax = (bytes: Buffer): Buffer => {
      const marker = Buffer.from('000012345678' + '9abc', 'hex');
      const at = bytes.indexOf(marker);
      expect(at).toBeGreaterThan(0);
      Buffer.from('7fffffffffffffff', 'hex').copy(bytes, at);
      return bytes;
    };
    const send = async <K extends KnownApiKey>(apiKey: K, version: number, body: RequestInput<K>) => {
      const { bytes } = client.frame(apiKey, version, body);
      client.write(withLongMax(bytes));
      return decodeResponse(await client.nextFrame(), apiKey, version).body;
    };
    const commit = await send(ApiKey.OffsetCommit, 8, { groupId: 'long-max', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 'target', partitions: [{ partitionIndex: 0, committedOffset: MARKER, committedMetadata: null }] }] });
    expect(commit.topics[0]!.partitions[0]!.errorCode).not.toBe(ErrorCode.NONE);
    const fetched = await send(ApiKey.Fetch, 12, { maxWaitMs: 10, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic: 'target', partitions: [{ partition: 0, fetchOffset: MARKER, partitionMaxBytes: 1 << 20 }] }] });
    expect(fetched.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const listed = await send(ApiKey.ListOffsets, 5, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'target', partitions: [{ partitionIndex: 0, timestamp: MARKER }] }] });
    expect(listed.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, offset: -1 });
    expect(client.isClosed).toBe(false);
    client.destroy();
  });

  it('ends a long-polling Fetch cleanly when its client disappears', async () => {
    const client = await RawClient.connect(running.port);
    const poll = client.frame(ApiKey.Fetch, 11, {
      maxWaitMs: 30_000,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [{ topic: 'target', partitions: [{ partition: 0, fetchOffset: before.ends['target-0']!, partitionMaxBytes: 1 << 20 }] }],
    });
    client.write(poll.bytes);
    await new Promise((resolve) => setTimeout(resolve, 100));
    client.destroy();
    // A record appended afterwards must not be sent to (or break on) the dead connection.
    await new Promise((resolve) => setTimeout(resolve, 50));
    running.engine.produce('target', [{ key: null, value: Buffer.from('after the client left'), partition: 0 }]);
    before.ends['target-0']! += 1;
  });
});
