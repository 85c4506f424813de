import { describe, expect, it } from 'vitest';
import { ApiKey } from './api-keys';
import { ADVERTISED_APIS, API_DEFINITIONS, UNSUPPORTED_API_VERSIONS_BODY, apiByKey, apiVersionsResponseBody, isSupportedVersion } from './api-registry';
import { ErrorCode } from './error-codes';

/** [min, max, first flexible] per key: reference §6.4 (advertise) and §6.7, and the brief for the four admin APIs. */
const EXPECTED: Record<number, [number, number, number]> = {
  [ApiKey.Produce]: [0, 8, 9],
  [ApiKey.Fetch]: [0, 12, 12],
  [ApiKey.ListOffsets]: [0, 5, 6],
  [ApiKey.Metadata]: [0, 9, 9],
  [ApiKey.OffsetCommit]: [0, 8, 8],
  [ApiKey.OffsetFetch]: [0, 8, 6],
  [ApiKey.FindCoordinator]: [0, 4, 3],
  [ApiKey.JoinGroup]: [0, 6, 6],
  [ApiKey.Heartbeat]: [0, 4, 4],
  [ApiKey.LeaveGroup]: [0, 4, 4],
  [ApiKey.SyncGroup]: [0, 4, 4],
  [ApiKey.DescribeGroups]: [0, 5, 5],
  [ApiKey.ListGroups]: [0, 4, 3],
  [ApiKey.ApiVersions]: [0, 3, 3],
  [ApiKey.CreateTopics]: [0, 7, 5],
  [ApiKey.DeleteTopics]: [0, 6, 4],
  [ApiKey.InitProducerId]: [0, 4, 2],
  [ApiKey.DescribeConfigs]: [0, 4, 4],
};

/** The highest version each client implements (reference §6.3), to check what it will negotiate. */
const LIBRDKAFKA_MAX: Partial<Record<number, number>> = { 0: 7, 1: 11, 2: 2, 3: 4, 8: 7, 9: 7, 10: 2, 11: 5, 12: 3, 13: 1, 14: 3, 18: 3 };
const KAFKAJS_MAX: Partial<Record<number, number>> = { 0: 7, 1: 11, 2: 3, 3: 6, 8: 5, 9: 4, 10: 2, 11: 5, 12: 3, 13: 3, 14: 3, 19: 3 };
const PLATFORMATIC_RANGE: Partial<Record<number, [number, number]>> = {
  0: [7, 11], 1: [12, 17], 2: [5, 9], 3: [9, 12], 8: [8, 9], 9: [8, 9], 10: [4, 6], 11: [6, 9], 12: [4, 4], 13: [4, 5], 14: [4, 5], 18: [3, 3], 19: [7, 7], 22: [3, 5],
};

function advertisedMax(key: number): number {
  const api = ADVERTISED_APIS.find((entry) => entry.apiKey === key);
  if (api === undefined) throw new Error(`key ${key} not advertised`);
  return api.maxVersion;
}

describe('API registry', () => {
  it('knows exactly the APIs of the brief, with their served versions and flexible versions', () => {
    const actual = Object.fromEntries(API_DEFINITIONS.map((api) => [api.key, [api.minVersion, api.maxVersion, api.flexibleVersion]]));
    expect(actual).toEqual(EXPECTED);
    for (const api of API_DEFINITIONS) {
      expect(apiByKey(api.key)).toBe(api);
      expect(api.request.flexibleVersions.min).toBe(api.flexibleVersion);
      expect(api.response.flexibleVersions.min).toBe(api.flexibleVersion);
    }
  });

  it('advertises every key from version 0 in key order, so librdkafka 2.0.2’s feature probes overlap (§6.5)', () => {
    expect(ADVERTISED_APIS.map((api) => api.apiKey)).toEqual([...ADVERTISED_APIS.map((api) => api.apiKey)].sort((a, b) => a - b));
    expect(ADVERTISED_APIS.every((api) => api.minVersion === 0)).toBe(true);
    const probes: [number, number, number][] = [[0, 3, 3], [1, 4, 4], [0, 2, 2], [1, 2, 2], [0, 1, 2], [1, 1, 2], [10, 0, 0], [8, 1, 2], [9, 1, 1], [11, 0, 0], [14, 0, 0], [12, 0, 0], [13, 0, 0], [22, 0, 0], [2, 1, 1], [0, 7, 7], [1, 10, 10], [18, 0, 0]];
    // Every advertised range starts at 0, so it overlaps a probe range exactly when its max reaches the probe's min.
    for (const [key, min, max] of probes) expect(advertisedMax(key), `probe ${key} ${min}..${max}`).toBeGreaterThanOrEqual(min);
  });

  it('keeps Metadata ≤ 9 with Fetch ≤ 12: no topic IDs (§6.4, the @platformatic/kafka coupling)', () => {
    expect(advertisedMax(ApiKey.Metadata)).toBe(9);
    expect(advertisedMax(ApiKey.Fetch)).toBe(12);
  });

  it('lets each client negotiate the versions the reference predicts (§6.3, §6.4)', () => {
    const librdkafka = Object.fromEntries(Object.entries(LIBRDKAFKA_MAX).map(([key, max]) => [key, Math.min(max ?? 0, advertisedMax(Number(key)))]));
    expect(librdkafka).toEqual({ 0: 7, 1: 11, 2: 2, 3: 4, 8: 7, 9: 7, 10: 2, 11: 5, 12: 3, 13: 1, 14: 3, 18: 3 });
    const kafkajs = Object.fromEntries(Object.entries(KAFKAJS_MAX).map(([key, max]) => [key, Math.min(max ?? 0, advertisedMax(Number(key)))]));
    expect(kafkajs).toEqual({ 0: 7, 1: 11, 2: 3, 3: 6, 8: 5, 9: 4, 10: 2, 11: 5, 12: 3, 13: 3, 14: 3, 19: 3 });
    const platformatic = Object.fromEntries(
      Object.entries(PLATFORMATIC_RANGE).map(([key, range]) => {
        const [min, max] = range ?? [0, 0];
        const top = Math.min(max, advertisedMax(Number(key)));
        return [key, top >= min ? top : 'No usable implementation'];
      }),
    );
    expect(platformatic).toEqual({ 0: 8, 1: 12, 2: 5, 3: 9, 8: 8, 9: 8, 10: 4, 11: 6, 12: 4, 13: 4, 14: 4, 18: 3, 19: 7, 22: 4 });
  });

  it('checks served versions', () => {
    expect(isSupportedVersion(ApiKey.Fetch, 12)).toBe(true);
    expect(isSupportedVersion(ApiKey.Fetch, 13)).toBe(false);
    expect(isSupportedVersion(ApiKey.Fetch, -1)).toBe(false);
    expect(isSupportedVersion(7, 0)).toBe(false);
  });

  it('builds the ApiVersions body, optionally narrowed to the APIs a listener serves', () => {
    expect(apiVersionsResponseBody()).toEqual({ errorCode: 0, apiKeys: ADVERTISED_APIS, throttleTimeMs: 0 });
    expect(apiVersionsResponseBody({ apiKeys: [ApiKey.Metadata] }).apiKeys).toEqual([
      { apiKey: 3, minVersion: 0, maxVersion: 9 },
      { apiKey: 18, minVersion: 0, maxVersion: 3 },
    ]);
    expect(UNSUPPORTED_API_VERSIONS_BODY).toEqual({ errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] });
  });
});
