import { LogFormatError } from '../errors';
import type { ByteLocation } from '../errors';
import { CompressionCodec, codecName, isKnownCodec } from './compression-codec';
import { compressGzip, decompressGzip } from './gzip';
import { compressLz4, decompressLz4 } from './lz4';
import { compressSnappy, decompressSnappy } from './snappy';
import { compressZstd, decompressZstd } from './zstd';

export interface DecompressOptions {
  /** The payload is a magic 0 message's: accept the LZ4 header checksum Kafka 0.8/0.9 wrote (KAFKA-3160). */
  legacyLz4?: boolean;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Decompresses a batch's (or legacy wrapper message's) payload. `where` is the payload's first
 * byte in its file; every failure is a LogFormatError there, so no codec error escapes unlabelled.
 */
export function decompress(codec: number, data: Uint8Array, where: ByteLocation, options?: DecompressOptions): Buffer {
  if (!isKnownCodec(codec)) throw new LogFormatError(where, `unknown compression codec ${codec} (attributes bits 0-2)`);
  try {
    switch (codec) {
      case CompressionCodec.None:
        return asBuffer(data);
      case CompressionCodec.Gzip:
        return decompressGzip(data);
      case CompressionCodec.Snappy:
        return decompressSnappy(data);
      case CompressionCodec.Lz4:
        return decompressLz4(data, { legacyBrokenHeaderChecksum: options?.legacyLz4 ?? false });
      case CompressionCodec.Zstd:
        return decompressZstd(data);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LogFormatError(where, `${codecName(codec)} payload does not decompress: ${reason}`, { cause: error });
  }
}

export function compress(codec: CompressionCodec, data: Uint8Array): Buffer {
  switch (codec) {
    case CompressionCodec.None:
      return asBuffer(data);
    case CompressionCodec.Gzip:
      return compressGzip(data);
    case CompressionCodec.Snappy:
      return compressSnappy(data);
    case CompressionCodec.Lz4:
      return compressLz4(data);
    case CompressionCodec.Zstd:
      return compressZstd(data);
    default:
      throw new Error(`cannot compress with unknown codec ${codecName(codec)}`);
  }
}
