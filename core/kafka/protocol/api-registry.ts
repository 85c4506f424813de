import { ApiKey } from './api-keys';
import type { ApiDefinition, RequestInputOf, RequestOf, ResponseInputOf, ResponseOf } from './apis/api-definition';
import { apiVersionsApi } from './apis/api-versions';
import type { ApiVersionsResponseInput } from './apis/api-versions';
import { createTopicsApi } from './apis/create-topics';
import { deleteTopicsApi } from './apis/delete-topics';
import { describeConfigsApi } from './apis/describe-configs';
import { describeGroupsApi } from './apis/describe-groups';
import { fetchApi } from './apis/fetch';
import { findCoordinatorApi } from './apis/find-coordinator';
import { heartbeatApi } from './apis/heartbeat';
import { initProducerIdApi } from './apis/init-producer-id';
import { joinGroupApi } from './apis/join-group';
import { leaveGroupApi } from './apis/leave-group';
import { listGroupsApi } from './apis/list-groups';
import { listOffsetsApi } from './apis/list-offsets';
import { metadataApi } from './apis/metadata';
import { offsetCommitApi } from './apis/offset-commit';
import { offsetFetchApi } from './apis/offset-fetch';
import { produceApi } from './apis/produce';
import { syncGroupApi } from './apis/sync-group';
import { ErrorCode } from './error-codes';

/**
 * Every API the codec knows, by key, and what a listener advertises for them in ApiVersions.
 * The advertised ranges follow reference §6.4: they serve librdkafka 2.0.2, kafkajs 2.2.4 and
 * @platformatic/kafka, keep Metadata ≤9 with Fetch ≤12 (no topic IDs), and start at 0 for every
 * key because librdkafka 2.0.2 probes features by overlap with low version ranges (§6.5).
 */
export const API_DEFINITIONS = [
  produceApi,
  fetchApi,
  listOffsetsApi,
  metadataApi,
  offsetCommitApi,
  offsetFetchApi,
  findCoordinatorApi,
  joinGroupApi,
  heartbeatApi,
  leaveGroupApi,
  syncGroupApi,
  describeGroupsApi,
  listGroupsApi,
  apiVersionsApi,
  createTopicsApi,
  deleteTopicsApi,
  initProducerIdApi,
  describeConfigsApi,
] as const;

export type KnownApi = (typeof API_DEFINITIONS)[number];
export type KnownApiKey = KnownApi['key'];
export type ApiFor<K extends KnownApiKey> = Extract<KnownApi, { readonly key: K }>;

/** A decoded request body of API K: every field of its table, defaults where the version lacks it. */
export type RequestBody<K extends KnownApiKey> = RequestOf<ApiFor<K>>;
export type ResponseBody<K extends KnownApiKey> = ResponseOf<ApiFor<K>>;
/** What encoding accepts: fields left out are written as their defaults. */
export type RequestInput<K extends KnownApiKey> = RequestInputOf<ApiFor<K>>;
export type ResponseInput<K extends KnownApiKey> = ResponseInputOf<ApiFor<K>>;

const BY_KEY = new Map<number, KnownApi>(API_DEFINITIONS.map((api) => [api.key, api]));

/** The API with this key, or undefined for a key this codec does not know. */
export function apiByKey(apiKey: number): KnownApi | undefined {
  return BY_KEY.get(apiKey);
}

/** The typed definition for a key known at compile time. */
export function apiDefinition<K extends KnownApiKey>(apiKey: K): ApiFor<K> {
  return BY_KEY.get(apiKey) as ApiFor<K>;
}

export function isKnownApiKey(apiKey: number): apiKey is KnownApiKey {
  return BY_KEY.has(apiKey);
}

export function isSupportedVersion(apiKey: number, apiVersion: number): boolean {
  const api = BY_KEY.get(apiKey);
  return api !== undefined && Number.isInteger(apiVersion) && apiVersion >= api.minVersion && apiVersion <= api.maxVersion;
}

export interface AdvertisedApi {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** The ApiKeys array of an ApiVersions response: every known API from version 0, in key order. */
export const ADVERTISED_APIS: readonly AdvertisedApi[] = [...API_DEFINITIONS]
  .sort((a, b) => a.key - b.key)
  .map((api: ApiDefinition) => ({ apiKey: api.key, minVersion: 0, maxVersion: api.maxVersion }));

/**
 * The body of a successful ApiVersions response. `apiKeys` narrows the list to the APIs a listener
 * actually serves, should it serve fewer than the codec knows (ApiVersions itself is always kept).
 */
export function apiVersionsResponseBody(options: { throttleTimeMs?: number; apiKeys?: readonly number[] } = {}): ApiVersionsResponseInput {
  const only = options.apiKeys === undefined ? null : new Set([...options.apiKeys, ApiKey.ApiVersions]);
  return {
    errorCode: ErrorCode.NONE,
    apiKeys: ADVERTISED_APIS.filter((api) => only === null || only.has(api.apiKey)),
    throttleTimeMs: options.throttleTimeMs ?? 0,
  };
}

/** The version the answer to an unsupported ApiVersions version is encoded in (reference §6.6). */
export const UNSUPPORTED_API_VERSIONS_RESPONSE_VERSION = 0;

/**
 * The answer to an ApiVersions request of a version this codec does not know: a v0 body (the only
 * layout every client can read) with UNSUPPORTED_VERSION and only the ApiVersions entry, from
 * which the client picks a version to retry with. Kafka does the same (ApiVersionsRequest.java).
 */
export const UNSUPPORTED_API_VERSIONS_BODY: ApiVersionsResponseInput = {
  errorCode: ErrorCode.UNSUPPORTED_VERSION,
  apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: apiVersionsApi.maxVersion }],
};
