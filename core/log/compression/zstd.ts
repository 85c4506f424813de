import { Decoder, Encoder } from '@toondepauw/node-zstd';

// zstd's own default level, and the one Kafka uses unless compression.zstd.level says otherwise.
const DEFAULT_LEVEL = 3;

const decoder = new Decoder();

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export function compressZstd(data: Uint8Array, level = DEFAULT_LEVEL): Buffer {
  return new Encoder(level).encodeSync(asBuffer(data));
}

/**
 * The streaming decoder never relies on the frame's content size, which zstd-jni (Java producers)
 * and `zstd` reading stdin leave out; it also reads several concatenated frames.
 */
export function decompressZstd(data: Uint8Array): Buffer {
  return decoder.decodeSync(asBuffer(data));
}
