import { gunzipSync, gzipSync } from 'node:zlib';

/** gzip (RFC 1952) at zlib's default level, the level Kafka's Java producer uses by default. */
export function compressGzip(data: Uint8Array): Buffer {
  return gzipSync(data);
}

/** Accepts several concatenated gzip members, as Java's GZIPInputStream does. */
export function decompressGzip(data: Uint8Array): Buffer {
  return gunzipSync(data);
}
