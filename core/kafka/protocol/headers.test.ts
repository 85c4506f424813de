import { describe, expect, it } from 'vitest';
import { ApiKey } from './api-keys';
import { API_DEFINITIONS } from './api-registry';
import { readRequestHeader, readResponseHeader, requestHeaderVersion, responseHeaderVersion, writeRequestHeader, writeResponseHeader } from './headers';
import type { RequestHeader, RequestHeaderVersion, ResponseHeaderVersion } from './headers';
import { ProtocolReader } from './reader';
import { ProtocolWriter } from './writer';

function requestHeaderBytes(header: RequestHeader, version: RequestHeaderVersion): string {
  const writer = new ProtocolWriter();
  writeRequestHeader(writer, header, version);
  return writer.toBuffer().toString('hex');
}

function responseHeaderBytes(correlationId: number, version: ResponseHeaderVersion): string {
  const writer = new ProtocolWriter();
  writeResponseHeader(writer, { correlationId }, version);
  return writer.toBuffer().toString('hex');
}

describe('header versions', () => {
  it('follow each API’s first flexible version', () => {
    for (const api of API_DEFINITIONS) {
      if (api.flexibleVersion > 0) expect(requestHeaderVersion(api.key, api.flexibleVersion - 1)).toBe(1);
      expect(requestHeaderVersion(api.key, api.flexibleVersion)).toBe(2);
      if (api.key === ApiKey.ApiVersions) continue;
      if (api.flexibleVersion > 0) expect(responseHeaderVersion(api.key, api.flexibleVersion - 1)).toBe(0);
      expect(responseHeaderVersion(api.key, api.flexibleVersion)).toBe(1);
    }
  });

  it('use response header v0 for ApiVersions in every version, flexible or not', () => {
    for (const version of [0, 1, 2, 3, 4, 5]) expect(responseHeaderVersion(ApiKey.ApiVersions, version)).toBe(0);
    expect(requestHeaderVersion(ApiKey.ApiVersions, 3)).toBe(2);
    expect(requestHeaderVersion(ApiKey.ApiVersions, 4)).toBe(2);
  });

  it('match the reference for the versions clients use', () => {
    expect(requestHeaderVersion(ApiKey.OffsetFetch, 7)).toBe(2);
    expect(requestHeaderVersion(ApiKey.Fetch, 11)).toBe(1);
    expect(requestHeaderVersion(ApiKey.Fetch, 12)).toBe(2);
    expect(requestHeaderVersion(ApiKey.Metadata, 9)).toBe(2);
    expect(responseHeaderVersion(ApiKey.Produce, 8)).toBe(0);
  });

  it('refuse an unknown API key', () => {
    expect(() => requestHeaderVersion(99, 0)).toThrow('request header: unknown API key 99');
  });
});

describe('header bytes', () => {
  const header = { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka' };

  it('request header v1: key, version, correlation id, classic nullable client id', () => {
    expect(requestHeaderBytes({ ...header, apiVersion: 2 }, 1)).toBe('0012' + '0002' + '00000001' + '0007' + '72646b61666b61');
    expect(requestHeaderBytes({ ...header, clientId: null }, 1)).toBe('0012000300000001ffff');
  });

  it('request header v2: the client id stays a classic string, then a tag buffer', () => {
    expect(requestHeaderBytes(header, 2)).toBe('0012' + '0003' + '00000001' + '0007' + '72646b61666b61' + '00');
  });

  it('reads what kcat sends (ApiVersions v3, header v2), skipping header tags', () => {
    const reader = new ProtocolReader(Buffer.from('0012000300000001000772646b61666b61' + '01' + '0502abcd' + 'ee', 'hex'));
    expect(readRequestHeader(reader, 2)).toEqual(header);
    expect(reader.int8()).toBe(-18);
  });

  it('response header v0 is the correlation id; v1 adds a tag buffer', () => {
    expect(responseHeaderBytes(7, 0)).toBe('00000007');
    expect(responseHeaderBytes(7, 1)).toBe('0000000700');
    expect(readResponseHeader(new ProtocolReader(Buffer.from('0000000700', 'hex')), 1)).toEqual({ correlationId: 7 });
  });

  it('name the header field when it is short', () => {
    expect(() => readRequestHeader(new ProtocolReader(Buffer.from('00120003000000010009616263', 'hex')), 1)).toThrow(
      'request header ClientId: string of 9 bytes at byte 8 runs past the 13-byte frame',
    );
  });
});
