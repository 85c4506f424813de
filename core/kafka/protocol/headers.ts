import { ApiKey } from './api-keys';
import { apiByKey } from './api-registry';
import { ProtocolError } from './protocol-error';
import type { ProtocolReader } from './reader';
import type { ProtocolWriter } from './writer';

/**
 * Request and response headers (Kafka's RequestHeader.json / ResponseHeader.json). Written by
 * hand rather than as schema tables because of two exceptions to the flexible rules: ClientId
 * stays a classic int16-length string even in flexible header v2, and ApiVersions responses
 * always use header v0 so that a client can read the answer before it knows which versions the
 * broker speaks.
 */

export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

export interface ResponseHeader {
  readonly correlationId: number;
}

export type RequestHeaderVersion = 1 | 2;
export type ResponseHeaderVersion = 0 | 1;

function flexibleVersionOf(apiKey: number): number {
  const api = apiByKey(apiKey);
  if (api === undefined) throw new ProtocolError({ context: 'request header' }, `unknown API key ${apiKey}`);
  return api.flexibleVersion;
}

/**
 * v2 for flexible versions of an API, v1 before. Versions above the supported range follow the
 * same rule, so the header of a newer ApiVersions request still parses. (Header v0, without a
 * client id, only ever served ControlledShutdown v0, which this codec does not know.)
 */
export function requestHeaderVersion(apiKey: number, apiVersion: number): RequestHeaderVersion {
  return apiVersion >= flexibleVersionOf(apiKey) ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): ResponseHeaderVersion {
  if (apiKey === ApiKey.ApiVersions) return 0;
  return apiVersion >= flexibleVersionOf(apiKey) ? 1 : 0;
}

/**
 * The fields every request header version starts with (v0 aside): enough to answer or to name the
 * request in an error even when the API key or version is not one this codec serves.
 */
export function readRequestHeaderPrefix(reader: ProtocolReader): RequestHeader {
  const outer = reader.context;
  reader.context = 'request header';
  const apiKey = reader.int16('RequestApiKey');
  const apiVersion = reader.int16('RequestApiVersion');
  const correlationId = reader.int32('CorrelationId');
  const clientId = reader.nullableString('ClientId');
  reader.context = outer;
  return { apiKey, apiVersion, correlationId, clientId };
}

export function readRequestHeader(reader: ProtocolReader, version: RequestHeaderVersion): RequestHeader {
  const header = readRequestHeaderPrefix(reader);
  if (version === 2) readRequestHeaderTags(reader);
  return header;
}

/** The tag buffer that ends request header v2, after readRequestHeaderPrefix. */
export function readRequestHeaderTags(reader: ProtocolReader): void {
  readHeaderTags(reader, 'request header v2');
}

export function writeRequestHeader(writer: ProtocolWriter, header: RequestHeader, version: RequestHeaderVersion): void {
  const outer = writer.context;
  writer.context = `request header v${version}`;
  writer.int16(header.apiKey, 'RequestApiKey');
  writer.int16(header.apiVersion, 'RequestApiVersion');
  writer.int32(header.correlationId, 'CorrelationId');
  writer.nullableString(header.clientId, 'ClientId');
  if (version === 2) writer.emptyTagBuffer();
  writer.context = outer;
}

export function readResponseHeader(reader: ProtocolReader, version: ResponseHeaderVersion): ResponseHeader {
  const outer = reader.context;
  reader.context = `response header v${version}`;
  const correlationId = reader.int32('CorrelationId');
  reader.context = outer;
  if (version === 1) readHeaderTags(reader, 'response header v1');
  return { correlationId };
}

export function writeResponseHeader(writer: ProtocolWriter, header: ResponseHeader, version: ResponseHeaderVersion): void {
  const outer = writer.context;
  writer.context = `response header v${version}`;
  writer.int32(header.correlationId, 'CorrelationId');
  if (version === 1) writer.emptyTagBuffer();
  writer.context = outer;
}

/** Headers define no tagged fields that matter here; any present are skipped. */
function readHeaderTags(reader: ProtocolReader, context: string): void {
  const outer = reader.context;
  reader.context = context;
  reader.tagBuffer(() => {});
  reader.context = outer;
}
