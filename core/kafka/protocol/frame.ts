import { ApiKey } from './api-keys';
import { UNSUPPORTED_API_VERSIONS_BODY, UNSUPPORTED_API_VERSIONS_RESPONSE_VERSION, apiByKey, isSupportedVersion } from './api-registry';
import type { KnownApiKey, RequestBody, RequestInput, ResponseBody, ResponseInput } from './api-registry';
import { apiVersionsResponse } from './apis/api-versions';
import {
  readRequestHeaderPrefix,
  readRequestHeaderTags,
  readResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
  writeRequestHeader,
  writeResponseHeader,
} from './headers';
import type { RequestHeader, ResponseHeader } from './headers';
import { ProtocolError } from './protocol-error';
import { ProtocolReader } from './reader';
import { decode, encode } from './schema-codec';
import type { MessageSchema } from './schema';
import { ProtocolWriter } from './writer';

/**
 * Whole frames: a request frame (from FrameSplitter, without its size prefix) to a typed request,
 * and a response to size-prefixed bytes. Decoding never throws for bad client bytes: an unknown
 * API, an unsupported version or a malformed body comes back as a failure the listener can answer
 * (ApiVersions) or log and close the connection on (everything else, as Kafka does).
 */

/** A request this codec serves, discriminated by `apiKey` so `body` has the right type. */
export type DecodedRequest = {
  readonly [K in KnownApiKey]: {
    readonly ok: true;
    readonly apiKey: K;
    readonly apiVersion: number;
    readonly header: RequestHeader;
    readonly body: RequestBody<K>;
    /** Bytes after the body. 0 from a correct client; more hints at a version mismatch worth logging. */
    readonly trailingBytes: number;
  };
}[KnownApiKey];

export type RequestProblem =
  /** Not even the header could be read: nothing to answer, close. */
  | 'malformed-header'
  /** An API key this codec does not know. */
  | 'unknown-api'
  /** A known API in a version outside the served range; for ApiVersions, see failureResponse. */
  | 'unsupported-version'
  /** The body does not decode as the version the header names. */
  | 'malformed-body';

export interface RequestDecodeFailure {
  readonly ok: false;
  readonly problem: RequestProblem;
  /** Null only for 'malformed-header'. */
  readonly header: RequestHeader | null;
  readonly apiKey: number | null;
  readonly apiVersion: number | null;
  readonly error: ProtocolError;
}

export function decodeRequest(frame: Buffer): DecodedRequest | RequestDecodeFailure {
  const reader = new ProtocolReader(frame);
  let header: RequestHeader;
  try {
    header = readRequestHeaderPrefix(reader);
  } catch (error) {
    if (error instanceof ProtocolError) return { ok: false, problem: 'malformed-header', header: null, apiKey: null, apiVersion: null, error };
    throw error;
  }
  const fail = (problem: RequestProblem, error: ProtocolError): RequestDecodeFailure => ({
    ok: false,
    problem,
    header,
    apiKey: header.apiKey,
    apiVersion: header.apiVersion,
    error,
  });
  const who = `correlation id ${header.correlationId}, client ${JSON.stringify(header.clientId)}`;
  const api = apiByKey(header.apiKey);
  if (api === undefined) {
    return fail('unknown-api', new ProtocolError({ context: 'request header', field: 'RequestApiKey', position: 0 }, `unknown API key ${header.apiKey} (${who})`));
  }
  if (!isSupportedVersion(header.apiKey, header.apiVersion)) {
    const reason = `${api.name} v${header.apiVersion} is not supported; this listener serves v${api.minVersion}-${api.maxVersion} (${who})`;
    return fail('unsupported-version', new ProtocolError({ context: 'request header', field: 'RequestApiVersion', position: 2 }, reason));
  }
  try {
    if (requestHeaderVersion(header.apiKey, header.apiVersion) === 2) readRequestHeaderTags(reader);
    const body = decode(api.request as MessageSchema, header.apiVersion, reader);
    return { ok: true, apiKey: api.key, apiVersion: header.apiVersion, header, body, trailingBytes: reader.remaining } as DecodedRequest;
  } catch (error) {
    if (error instanceof ProtocolError) return fail('malformed-body', error);
    throw error;
  }
}

/**
 * The bytes to answer a failed request with, or null when the connection should be closed. Only
 * an ApiVersions request of an unsupported version gets an answer (reference §6.6): clients send
 * their newest version first and retry with the one the answer names.
 */
export function failureResponse(failure: RequestDecodeFailure): Buffer | null {
  if (failure.problem !== 'unsupported-version' || failure.apiKey !== ApiKey.ApiVersions || failure.header === null) return null;
  return encodeUnsupportedApiVersionsResponse(failure.header.correlationId);
}

/** Response header v0 + a v0 ApiVersions body with UNSUPPORTED_VERSION and only the ApiVersions entry. */
export function encodeUnsupportedApiVersionsResponse(correlationId: number): Buffer {
  const writer = new ProtocolWriter(32);
  writeResponseHeader(writer, { correlationId }, 0);
  encode(apiVersionsResponse, UNSUPPORTED_API_VERSIONS_RESPONSE_VERSION, UNSUPPORTED_API_VERSIONS_BODY, writer);
  return sizePrefixed(writer);
}

/**
 * A size-prefixed response in the version the request came in, with the header version that
 * implies. Refuses a version the listener does not serve: answering in one would be a bug here.
 */
export function encodeResponse<K extends KnownApiKey>(header: ResponseHeader, apiKey: K, apiVersion: number, body: ResponseInput<K>): Buffer {
  const api = apiByKey(apiKey);
  if (api === undefined) throw new ProtocolError({ context: 'response' }, `unknown API key ${apiKey}`);
  if (!isSupportedVersion(apiKey, apiVersion)) {
    throw new ProtocolError({ context: 'response' }, `${api.name} v${apiVersion} is not served (v${api.minVersion}-${api.maxVersion})`);
  }
  const writer = new ProtocolWriter();
  writeResponseHeader(writer, header, responseHeaderVersion(apiKey, apiVersion));
  encode(api.response as MessageSchema, apiVersion, body as never, writer);
  return sizePrefixed(writer);
}

/**
 * A size-prefixed request, for a client side (the cluster source) and for tests. Any version the
 * API's table describes may be used, not only the served ones.
 */
export function encodeRequest<K extends KnownApiKey>(header: RequestHeader & { readonly apiKey: K }, body: RequestInput<K>): Buffer {
  const api = apiByKey(header.apiKey);
  if (api === undefined) throw new ProtocolError({ context: 'request' }, `unknown API key ${header.apiKey}`);
  const writer = new ProtocolWriter();
  writeRequestHeader(writer, header, requestHeaderVersion(header.apiKey, header.apiVersion));
  encode(api.request as MessageSchema, header.apiVersion, body as never, writer);
  return sizePrefixed(writer);
}

/** Decodes a response frame (without its size prefix) of `apiKey` v`apiVersion`. Throws ProtocolError. */
export function decodeResponse<K extends KnownApiKey>(frame: Buffer, apiKey: K, apiVersion: number): { header: ResponseHeader; body: ResponseBody<K> } {
  const api = apiByKey(apiKey);
  if (api === undefined) throw new ProtocolError({ context: 'response' }, `unknown API key ${apiKey}`);
  const reader = new ProtocolReader(frame);
  const header = readResponseHeader(reader, responseHeaderVersion(apiKey, apiVersion));
  const body = decode(api.response as MessageSchema, apiVersion, reader) as ResponseBody<K>;
  return { header, body };
}

function sizePrefixed(writer: ProtocolWriter): Buffer {
  const chunks = writer.toChunks();
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeInt32BE(writer.length, 0);
  return Buffer.concat([prefix, ...chunks], 4 + writer.length);
}
