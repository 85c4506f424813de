import { afterEach, describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../log/batch/record-batch-encoder';
import { RecordBatchV2 } from '../../log/batch/record-batch';
import { ApiKey } from './api-keys';
import { ADVERTISED_APIS, apiVersionsResponseBody } from './api-registry';
import { encodeResponse, encodeUnsupportedApiVersionsResponse } from './frame';
import { RecordingBroker, requireKcat, runKcat } from './kcat.test-support';
import type { KcatRun, ReceivedFrame } from './kcat.test-support';
import { ScriptedBroker } from './scripted-broker.test-support';

/**
 * The codec against a real client: kcat 1.7.1 on librdkafka 2.0.2. What the reference predicts
 * (§6.3-6.6) is checked on the bytes librdkafka actually sends and on what it does with ours.
 */

let broker: RecordingBroker | null = null;
let kcat: KcatRun | null = null;

afterEach(async () => {
  kcat?.kill();
  await kcat?.done;
  await broker?.stop();
  kcat = null;
  broker = null;
});

describe('kcat (librdkafka 2.0.2)', () => {
  it('is installed', () => {
    expect(requireKcat()).toContain('librdkafka 2.0.2');
  });

  it('sends ApiVersions v3 first, accepts our ApiVersions v3 answer, and then negotiates Metadata v4', async () => {
    requireKcat();
    broker = new RecordingBroker((request) => {
      if (request.apiKey === ApiKey.ApiVersions) {
        return encodeResponse({ correlationId: request.header.correlationId }, ApiKey.ApiVersions, request.apiVersion, apiVersionsResponseBody());
      }
      return null;
    });
    const port = await broker.start();
    kcat = runKcat(['-b', `127.0.0.1:${port}`, '-L', '-m', '2']);

    const first = await broker.waitFor(() => true);
    expect(first.request.ok).toBe(true);
    if (!first.request.ok || first.request.apiKey !== ApiKey.ApiVersions) throw new Error(`first request was ${JSON.stringify(first.request)}`);
    expect(first.request.apiVersion).toBe(3);
    expect(first.request.header.clientId).toBe('rdkafka');
    expect(first.request.header.correlationId).toBeGreaterThanOrEqual(0);
    expect(first.request.body.clientSoftwareName).toBe('librdkafka');
    expect(first.request.body.clientSoftwareVersion).toMatch(/^2\.0\.2/);
    expect(first.request.trailingBytes).toBe(0);

    const next = await broker.waitFor((frame) => frame !== first && frame.connection === first.connection);
    if (!next.request.ok) throw new Error(`second request did not decode: ${next.request.error.message}`);
    expect(next.request.apiKey).toBe(ApiKey.Metadata);
    expect(next.request.apiVersion).toBe(4);
    expect(next.request.trailingBytes).toBe(0);
    expect(next.request.header.correlationId).toBeGreaterThan(first.request.header.correlationId);
    expect(ADVERTISED_APIS.find((api) => api.apiKey === ApiKey.Metadata)?.maxVersion).toBe(9);
  });

  // The answer Kafka gives (a v0 body) reaches librdkafka 2.0.2 as a reply to its flexible v3
  // request, so it reads the int32 array count as a compact (uvarint) one, sees no entries and
  // retries with v0 (reference §6.6: "or v0 if the array is empty"); v0 then negotiates as usual.
  it('reads our UNSUPPORTED_VERSION answer (v0 body), retries ApiVersions with v0, and carries on', async () => {
    requireKcat();
    let refused = false;
    broker = new RecordingBroker((request) => {
      if (request.apiKey !== ApiKey.ApiVersions) return null;
      if (!refused) {
        refused = true;
        return encodeUnsupportedApiVersionsResponse(request.header.correlationId);
      }
      return encodeResponse({ correlationId: request.header.correlationId }, ApiKey.ApiVersions, request.apiVersion, apiVersionsResponseBody());
    });
    const port = await broker.start();
    kcat = runKcat(['-b', `127.0.0.1:${port}`, '-L', '-m', '2']);
    const retry = await broker.waitFor((frame) => frame.request.ok && frame.request.apiKey === ApiKey.ApiVersions && frame.request.apiVersion < 3);
    expect(retry.request.ok && retry.request.apiVersion).toBe(0);
    expect(retry.connection).toBe(0);
    const metadata = await broker.waitFor((frame) => frame.request.ok && frame.request.apiKey === ApiKey.Metadata);
    expect(metadata.request.ok && metadata.request.apiVersion).toBe(4);
  });

  /** A broker scripted over the codec, started, with kcat pointed at it. */
  async function scripted(topic = 'events'): Promise<{ logic: ScriptedBroker; address: string }> {
    requireKcat();
    const logic = new ScriptedBroker(topic);
    broker = new RecordingBroker(logic.script);
    logic.port = await broker.start();
    return { logic, address: `127.0.0.1:${logic.port}` };
  }

  /** Every frame decoded, to the last byte, as the API and version librdkafka negotiated. */
  function used(frames: readonly ReceivedFrame[]): string[] {
    return [
      ...new Set(
        frames.map((frame) => {
          if (!frame.request.ok) throw new Error(`a request did not decode: ${frame.request.error.message}`);
          expect(frame.request.trailingBytes).toBe(0);
          return `${frame.request.apiKey}v${frame.request.apiVersion}`;
        }),
      ),
    ];
  }

  it('prints the cluster from our Metadata v4 answer (-L)', async () => {
    const { address, logic } = await scripted();
    kcat = runKcat(['-b', address, '-L', '-m', '5']);
    const result = await kcat.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`1 brokers:\n  broker 1 at 127.0.0.1:${logic.port} (controller)`);
    expect(result.stdout).toContain('topic "events" with 1 partitions:\n    partition 0, leader 1, replicas: 1, isrs: 1');
    expect(used(broker?.frames ?? [])).toEqual(['18v3', '3v4']);
  });

  it('produces with Produce v7, whose record batches decode, and accepts our Produce v7 answer (-P)', async () => {
    const { address, logic } = await scripted();
    kcat = runKcat(['-b', address, '-P', '-t', 'events', '-p', '0'], 'hello\nworld\n');
    const result = await kcat.done;
    expect(result.code, result.stderr).toBe(0);
    expect(used(broker?.frames ?? [])).toEqual(['18v3', '3v4', '0v7']);
    const values = logic.batches.flatMap(({ bytes }) => {
      const batch = new RecordBatchV2(bytes, 0, '<produced>');
      batch.verifyChecksum();
      return batch.records().map((record) => `${record.offset}:${record.value?.toString('utf8')}`);
    });
    expect(values).toEqual(['0:hello', '1:world']);
    const produce = broker?.frames.find((f) => f.request.ok && f.request.apiKey === ApiKey.Produce)?.request;
    if (!produce?.ok || produce.apiKey !== ApiKey.Produce) throw new Error('no Produce request');
    expect(produce.body).toMatchObject({ transactionalId: null, acks: -1, topicData: [{ name: 'events', partitionData: [{ index: 0 }] }] });
  });

  it('produces idempotently after InitProducerId v4 (flexible), with the producer id of our answer in the batch', async () => {
    const { address, logic } = await scripted();
    kcat = runKcat(['-b', address, '-P', '-t', 'events', '-p', '0', '-X', 'enable.idempotence=true'], 'once\n');
    const result = await kcat.done;
    expect(result.code, result.stderr).toBe(0);
    expect(used(broker?.frames ?? [])).toEqual(expect.arrayContaining(['18v3', '3v4', '22v4', '0v7']));
    const init = broker?.frames.find((f) => f.request.ok && f.request.apiKey === ApiKey.InitProducerId)?.request;
    if (!init?.ok || init.apiKey !== ApiKey.InitProducerId) throw new Error('no InitProducerId request');
    expect(init.body).toMatchObject({ transactionalId: null, producerId: -1, producerEpoch: -1 });
    const [batch] = logic.batches.map(({ bytes }) => new RecordBatchV2(bytes, 0, '<produced>'));
    expect([batch?.producerId, batch?.producerEpoch, batch?.baseSequence]).toEqual([ScriptedBroker.PRODUCER_ID, 0, 0]);
  });

  it('consumes with ListOffsets v2 and Fetch v11, and prints the records of our Fetch v11 answer (-C)', async () => {
    const { address, logic } = await scripted();
    logic.append(encodeRecordBatch({ baseOffset: 0, records: [{ key: Buffer.from('k'), value: Buffer.from('first'), timestamp: 1_700_000_000_000 }] }));
    logic.append(encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.from('second'), timestamp: 1_700_000_000_001 }] }));
    kcat = runKcat(['-b', address, '-C', '-t', 'events', '-p', '0', '-o', 'beginning', '-c', '2', '-e', '-f', '%o:%k:%s\n']);
    const result = await kcat.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('0:k:first\n1::second\n');
    expect(used(broker?.frames ?? [])).toEqual(expect.arrayContaining(['18v3', '3v4', '2v2', '1v11']));
  });

  it('joins a group with FindCoordinator v2, JoinGroup v5, SyncGroup v3 and OffsetFetch v7 (flexible), then commits with OffsetCommit v7 (-G)', async () => {
    const { address, logic } = await scripted();
    logic.append(encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.from('one'), timestamp: 1_700_000_000_000 }, { key: null, value: Buffer.from('two'), timestamp: 1_700_000_000_000 }] }));
    kcat = runKcat(['-b', address, '-G', 'tapedeck-group', '-c', '2', '-X', 'auto.offset.reset=earliest', '-f', '%o:%s\n', 'events']);
    const result = await kcat.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('0:one\n1:two\n');
    const versions = used(broker?.frames ?? []);
    expect(versions).toEqual(expect.arrayContaining(['18v3', '3v4', '10v2', '11v5', '14v3', '9v7', '2v2', '1v11', '8v7', '13v1']));
    const join = broker?.frames.find((f) => f.request.ok && f.request.apiKey === ApiKey.JoinGroup)?.request;
    if (!join?.ok || join.apiKey !== ApiKey.JoinGroup) throw new Error('no JoinGroup request');
    expect(join.body).toMatchObject({ groupId: 'tapedeck-group', memberId: '', groupInstanceId: null, protocolType: 'consumer' });
    expect(join.body.protocols.map((p) => p.name)).toEqual(expect.arrayContaining(['range', 'roundrobin']));
    expect(logic.commits).toContainEqual({ topic: 'events', partition: 0, offset: 2 });
  });
});
