import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiKey } from './api-keys';
import { ADVERTISED_APIS, API_DEFINITIONS, apiVersionsResponseBody } from './api-registry';
import type { KnownApiKey } from './api-registry';
import { ErrorCode } from './error-codes';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, encodeUnsupportedApiVersionsResponse, failureResponse } from './frame';
import { ProtocolError } from './protocol-error';
import { asSeenIn, fullSample } from './schema-arbitrary.test-support';
import type { MessageSchema } from './schema';

const hex16 = (value: number): string => value.toString(16).padStart(4, '0');

const unframe = (bytes: Buffer): Buffer => {
  expect(bytes.readInt32BE(0)).toBe(bytes.length - 4);
  return bytes.subarray(4);
};

/** Frames kcat 1.7.1 (librdkafka 2.0.2) sent to a test server, recorded as hex (see kcat.test.ts). */
const KCAT_API_VERSIONS_V3 = '0012000300000001000772646b61666b61000b6c696272646b61666b6106322e302e3200';
const KCAT_METADATA_V4_NO_TOPICS = '0003000400000002000772646b61666b610000000000';
const KCAT_METADATA_V4_ALL_TOPICS = '0003000400000003000772646b61666b61ffffffff01';

describe('decodeRequest', () => {
  it('decodes kcat’s ApiVersions v3 request', () => {
    const request = decodeRequest(Buffer.from(KCAT_API_VERSIONS_V3, 'hex'));
    expect(request).toEqual({
      ok: true,
      apiKey: ApiKey.ApiVersions,
      apiVersion: 3,
      header: { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka' },
      body: { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' },
      trailingBytes: 0,
    });
  });

  it('decodes kcat’s Metadata v4 requests: no topics, and all topics (null) with auto-creation', () => {
    const none = decodeRequest(Buffer.from(KCAT_METADATA_V4_NO_TOPICS, 'hex'));
    const all = decodeRequest(Buffer.from(KCAT_METADATA_V4_ALL_TOPICS, 'hex'));
    if (!none.ok || none.apiKey !== ApiKey.Metadata || !all.ok || all.apiKey !== ApiKey.Metadata) throw new Error('not Metadata');
    expect(none.body).toEqual({ topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(all.body.topics).toBeNull();
    expect(all.body.allowAutoTopicCreation).toBe(true);
  });

  it('reports an unsupported ApiVersions version, and answers it with the v0 body of reference §6.6', () => {
    // ApiVersions v4, header v2 (flexible), correlation id 0x2a, client "kcat", then a v3-style body.
    const frame = Buffer.from('0012' + '0004' + '0000002a' + '00046b636174' + '00' + '056b63617406312e372e3100', 'hex');
    const result = decodeRequest(frame);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toBe('unsupported-version');
    expect([result.apiKey, result.apiVersion, result.header?.correlationId, result.header?.clientId]).toEqual([18, 4, 42, 'kcat']);
    expect(result.error.message).toBe('request header RequestApiVersion: ApiVersions v4 is not supported; this listener serves v0-3 (correlation id 42, client "kcat")');
    const answer = failureResponse(result);
    // size 16 · correlation id · ErrorCode 35 · ApiKeys [1 entry: key 18, min 0, max 3], nothing else.
    expect(answer?.toString('hex')).toBe('00000010' + '0000002a' + '0023' + '00000001' + '0012' + '0000' + '0003');
    expect(encodeUnsupportedApiVersionsResponse(42)).toEqual(answer);
  });

  it('reports other unsupported versions and unknown keys, with nothing to answer', () => {
    const fetch13 = decodeRequest(Buffer.from('0001000d00000005ffff00', 'hex'));
    expect(fetch13).toMatchObject({ ok: false, problem: 'unsupported-version', apiKey: 1, apiVersion: 13 });
    if (!fetch13.ok) expect(failureResponse(fetch13)).toBeNull();
    const unknown = decodeRequest(Buffer.from('0063000000000007ffff', 'hex'));
    expect(unknown).toMatchObject({ ok: false, problem: 'unknown-api', apiKey: 99, header: { correlationId: 7, clientId: null } });
    if (!unknown.ok) expect(unknown.error.message).toBe('request header RequestApiKey: unknown API key 99 (correlation id 7, client null)');
  });

  it('reports a header too short to read', () => {
    const result = decodeRequest(Buffer.from('0000000300', 'hex'));
    expect(result).toMatchObject({ ok: false, problem: 'malformed-header', header: null, apiKey: null });
    if (!result.ok) expect(result.error.message).toBe('request header CorrelationId: int32 at byte 4 runs past the 5-byte frame');
  });

  it('reports a truncated body with the field path and byte', () => {
    const full = unframe(
      encodeRequest({ apiKey: ApiKey.Produce, apiVersion: 7, correlationId: 9, clientId: 'p' }, {
        acks: -1,
        timeoutMs: 1000,
        topicData: [{ name: 'events', partitionData: [{ index: 0, records: Buffer.alloc(70, 1) }] }],
      }),
    );
    const result = decodeRequest(full.subarray(0, full.length - 10));
    expect(result).toMatchObject({ ok: false, problem: 'malformed-body', apiKey: 0, apiVersion: 7 });
    if (!result.ok) {
      expect(result.error).toBeInstanceOf(ProtocolError);
      expect(result.error.message).toBe(`ProduceRequest v7 TopicData[0].PartitionData[0].Records: byte string of 70 bytes at byte 39 runs past the ${full.length - 10}-byte frame`);
    }
  });

  it('names the field path and the frame byte of a short body (the example of the brief, byte for byte)', () => {
    // Metadata v9, header v2 (client id "ab", empty tag buffer) = 13 bytes; Topics: 1 element whose
    // compact Name claims 300 bytes (uvarint 301 = ad 02) at byte 14, with 4 bytes left.
    const frame = Buffer.from('0003' + '0009' + '00000001' + '00026162' + '00' + '02' + 'ad02' + '61626364', 'hex');
    const result = decodeRequest(frame);
    expect(result).toMatchObject({ ok: false, problem: 'malformed-body', apiKey: 3, apiVersion: 9 });
    if (!result.ok) {
      expect(result.error.message).toBe('MetadataRequest v9 Topics[0].Name: compact string of 300 bytes at byte 14 runs past the 20-byte frame');
      expect([result.error.field, result.error.position]).toEqual(['Topics[0].Name', 14]);
    }
  });

  it('never throws, whatever follows a valid header of any served API and version', () => {
    const headers = API_DEFINITIONS.flatMap((api) =>
      Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => {
        const version = api.minVersion + i;
        const flexible = version >= api.flexibleVersion;
        return Buffer.from(`${hex16(api.key)}${hex16(version)}00000001ffff${flexible ? '00' : ''}`, 'hex');
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...headers), fc.uint8Array({ maxLength: 80 }), (header, body) => {
        const result = decodeRequest(Buffer.concat([header, Buffer.from(body)]));
        if (!result.ok) expect(result.error).toBeInstanceOf(ProtocolError);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const result = decodeRequest(Buffer.from(bytes));
        if (!result.ok) expect(result.error).toBeInstanceOf(ProtocolError);
      }),
      { numRuns: 500 },
    );
  });

  it('counts bytes after the body', () => {
    const result = decodeRequest(Buffer.concat([Buffer.from(KCAT_API_VERSIONS_V3, 'hex'), Buffer.from('0000', 'hex')]));
    expect(result.ok && result.trailingBytes).toBe(2);
  });

  it('round-trips every request of every served version through encodeRequest', () => {
    for (const api of API_DEFINITIONS) {
      for (let version = api.minVersion; version <= api.maxVersion; version++) {
        const schema = api.request as MessageSchema;
        const sample = fullSample(schema.fields);
        const header = { apiKey: api.key, apiVersion: version, correlationId: 1000 + version, clientId: 'tapedeck' };
        const decoded = decodeRequest(unframe(encodeRequest(header, sample as never)));
        expect(decoded).toEqual({ ok: true, apiKey: api.key, apiVersion: version, header, body: asSeenIn(schema.fields, version, sample), trailingBytes: 0 });
      }
    }
  });
});

describe('encodeResponse', () => {
  it('round-trips every response of every served version with the right header version', () => {
    for (const api of API_DEFINITIONS) {
      for (let version = api.minVersion; version <= api.maxVersion; version++) {
        const schema = api.response as MessageSchema;
        const sample = fullSample(schema.fields);
        const frame = unframe(encodeResponse({ correlationId: 77 }, api.key as KnownApiKey, version, sample as never));
        expect(decodeResponse(frame, api.key as KnownApiKey, version)).toEqual({ header: { correlationId: 77 }, body: asSeenIn(schema.fields, version, sample) });
      }
    }
  });

  it('writes ApiVersions v3 with response header v0 (no tag buffer after the correlation id) and a flexible body', () => {
    const bytes = encodeResponse({ correlationId: 1 }, ApiKey.ApiVersions, 3, apiVersionsResponseBody());
    const hex = bytes.toString('hex');
    // size · correlation id · ErrorCode 0 · compact array of 18 entries (19) · first entry Produce 0-8 + its tag buffer.
    expect(hex.slice(8, 8 + 8 + 4 + 2 + 14)).toBe('00000001' + '0000' + '13' + '0000' + '0000' + '0008' + '00');
    // ... last entry DescribeConfigs 0-4, ThrottleTimeMs 0, empty top-level tag buffer.
    expect(hex.endsWith('0020' + '0000' + '0004' + '00' + '00000000' + '00')).toBe(true);
    expect(bytes.length).toBe(4 + 4 + 2 + 1 + 18 * 7 + 4 + 1);
  });

  it('writes Produce responses with ThrottleTimeMs after the topics', () => {
    const bytes = encodeResponse({ correlationId: 5 }, ApiKey.Produce, 7, {
      responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 42, logStartOffset: 0 }] }],
      throttleTimeMs: 3,
    });
    expect(bytes.toString('hex')).toBe(
      '00000031' + '00000005' + '00000001' + '000174' + '00000001' + '00000000' + '0000' + '000000000000002a' + 'ffffffffffffffff' + '0000000000000000' + '00000003',
    );
  });

  it('writes Fetch v12 with response header v1 and per-partition tags only when set', () => {
    const records = Buffer.alloc(61, 2);
    const bytes = encodeResponse({ correlationId: 6 }, ApiKey.Fetch, 12, {
      responses: [{ topic: 't', partitions: [{ partitionIndex: 0, highWatermark: 10, lastStableOffset: 10, logStartOffset: 0, currentLeader: { leaderId: 1, leaderEpoch: 0 }, records }] }],
    });
    const frame = unframe(bytes);
    expect(frame.subarray(0, 5).toString('hex')).toBe('0000000600');
    const { body } = decodeResponse(frame, ApiKey.Fetch, 12);
    const partition = body.responses[0]?.partitions[0];
    expect(partition?.currentLeader).toEqual({ leaderId: 1, leaderEpoch: 0 });
    expect(partition?.divergingEpoch).toEqual({ epoch: -1, endOffset: -1 });
    expect(partition?.abortedTransactions).toEqual([]);
    expect(partition?.records).toEqual(records);
  });

  it('refuses versions the listener does not serve', () => {
    expect(() => encodeResponse({ correlationId: 1 }, ApiKey.ApiVersions, 4, apiVersionsResponseBody())).toThrow('response: ApiVersions v4 is not served (v0-3)');
    expect(() => encodeResponse({ correlationId: 1 }, ApiKey.Metadata, 10, {})).toThrow('Metadata v10 is not served (v0-9)');
  });

  it('advertises the ranges of the registry in every ApiVersions version', () => {
    for (const version of [0, 1, 2, 3]) {
      const { body } = decodeResponse(unframe(encodeResponse({ correlationId: 1 }, ApiKey.ApiVersions, version, apiVersionsResponseBody())), ApiKey.ApiVersions, version);
      expect(body.errorCode).toBe(ErrorCode.NONE);
      expect(body.apiKeys).toEqual(ADVERTISED_APIS);
    }
  });
});
