import { compressSync, decompressFrameSync } from 'lz4-napi';
import { xxhash32 } from './xxhash32';

/**
 * LZ4 frames as Kafka writes them: one frame of independent blocks of at most 64 KiB, without
 * content size or checksums (KafkaLZ4BlockOutputStream's defaults).
 *
 * lz4-napi's compressFrameSync cannot be told the block size: it writes FLG 0x60 BD 0x40 for
 * inputs up to 64 KiB but switches to BD 0x50 (256 KiB blocks) above that. So the frame is
 * assembled here around lz4-napi's raw block compressor, and every frame we write starts
 * 04 22 4D 18 60 40 82 whatever its size.
 */

const FRAME_MAGIC = 0x184d2204;

const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_01 = 0x40;
const FLG_BLOCK_INDEPENDENCE = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_DICT_ID = 0x01;
const BD_64KB = 0x40;

const KAFKA_BLOCK_SIZE = 64 * 1024;
const MAX_BLOCK_SIZES: Readonly<Record<number, number>> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };
const UNCOMPRESSED_BLOCK = 0x80000000;

function headerChecksum(bytes: Uint8Array): number {
  return (xxhash32(bytes) >>> 8) & 0xff;
}

const KAFKA_FRAME_HEADER = ((): Buffer => {
  const header = Buffer.from([0, 0, 0, 0, FLG_VERSION_01 | FLG_BLOCK_INDEPENDENCE, BD_64KB, 0]);
  header.writeUInt32LE(FRAME_MAGIC, 0);
  header[6] = headerChecksum(header.subarray(4, 6));
  return header;
})();

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function hex(n: number, digits: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(digits, '0')}`;
}

export function compressLz4(data: Uint8Array): Buffer {
  const input = asBuffer(data);
  const parts: Buffer[] = [KAFKA_FRAME_HEADER];
  for (let at = 0; at < input.length; at += KAFKA_BLOCK_SIZE) {
    const chunk = input.subarray(at, at + KAFKA_BLOCK_SIZE);
    const prefixed = compressSync(chunk);
    // lz4-napi prepends the uncompressed size (u32 LE) to the raw block; a frame block has none.
    if (prefixed.length < 4 || prefixed.readUInt32LE(0) !== chunk.length) {
      throw new Error('lz4-napi compressSync no longer prefixes its block with the input size');
    }
    const packed = prefixed.subarray(4);
    // The frame format stores incompressible blocks as they are, flagged by the size's high bit.
    const stored = packed.length < chunk.length ? packed : chunk;
    const size = Buffer.alloc(4);
    size.writeUInt32LE((stored === chunk ? UNCOMPRESSED_BLOCK | chunk.length : packed.length) >>> 0, 0);
    parts.push(size, stored);
  }
  parts.push(Buffer.alloc(4)); // end mark
  return Buffer.concat(parts);
}

export interface Lz4ReadOptions {
  /**
   * KAFKA-3160: Kafka 0.8/0.9 computed the header checksum over the magic as well as the
   * descriptor; magic 0 messages may carry that checksum, which is then repaired before decoding.
   */
  legacyBrokenHeaderChecksum?: boolean;
}

/** Decodes every frame in `data` (Kafka writes one); anything after the last frame is an error, not ignored. */
export function decompressLz4(data: Uint8Array, options: Lz4ReadOptions = {}): Buffer {
  const input = asBuffer(data);
  const parts: Buffer[] = [];
  let at = 0;
  do {
    const { end, descriptorSize } = scanFrame(input, at);
    const frame = withCheckedHeader(input.subarray(at, end), at, descriptorSize, options);
    parts.push(decompressFrameSync(frame));
    at = end;
  } while (at < input.length);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * Walks the frame's block sizes so that a truncated frame is an error: lz4-napi returns whatever
 * blocks it got when the end mark is missing, which would silently drop records.
 */
function scanFrame(input: Buffer, start: number): { end: number; descriptorSize: number } {
  const truncated = (detail: string): Error => new Error(`LZ4 frame at payload byte ${start} is truncated: ${detail}`);
  if (input.length - start < 4) throw truncated(`${input.length - start} bytes are too few for a magic number`);
  const magic = input.readUInt32LE(start);
  if (magic !== FRAME_MAGIC) {
    throw new Error(`no LZ4 frame at payload byte ${start}: magic is ${hex(magic, 8)}, expected ${hex(FRAME_MAGIC, 8)}`);
  }
  if (input.length - start < 7) throw truncated('no room for the frame descriptor');
  const flg = input[start + 4]!;
  const bd = input[start + 5]!;
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_01) throw new Error(`LZ4 FLG byte ${hex(flg, 2)} has an unknown version`);
  const maxBlockSize = MAX_BLOCK_SIZES[(bd >> 4) & 0x7];
  if (maxBlockSize === undefined) throw new Error(`LZ4 BD byte ${hex(bd, 2)} names no valid block size`);
  const descriptorSize = 2 + (flg & FLG_CONTENT_SIZE ? 8 : 0) + (flg & FLG_DICT_ID ? 4 : 0);
  let at = start + 4 + descriptorSize + 1;
  if (at > input.length) throw truncated('no room for the frame descriptor');
  for (let index = 0; ; index++) {
    if (input.length - at < 4) throw truncated(`no end mark at payload byte ${at}`);
    const word = input.readUInt32LE(at);
    if (word === 0) {
      const end = at + 4 + (flg & FLG_CONTENT_CHECKSUM ? 4 : 0);
      if (end > input.length) throw truncated('the content checksum is cut short');
      return { end, descriptorSize };
    }
    const size = (word & ~UNCOMPRESSED_BLOCK) >>> 0;
    const where = `LZ4 block ${index} at payload byte ${at} declares ${size} bytes`;
    if (size > maxBlockSize) throw new Error(`${where}, more than the frame's ${maxBlockSize}-byte maximum`);
    const next = at + 4 + size + (flg & FLG_BLOCK_CHECKSUM ? 4 : 0);
    if (next > input.length) throw new Error(`${where}, but only ${input.length - at - 4} follow`);
    at = next;
  }
}

function withCheckedHeader(frame: Buffer, start: number, descriptorSize: number, options: Lz4ReadOptions): Buffer {
  const checksumAt = 4 + descriptorSize;
  const expected = headerChecksum(frame.subarray(4, checksumAt));
  const found = frame[checksumAt]!;
  if (found === expected) return frame;
  if (options.legacyBrokenHeaderChecksum) {
    const repaired = Buffer.from(frame);
    repaired[checksumAt] = expected;
    return repaired;
  }
  const overMagic = found === headerChecksum(frame.subarray(0, checksumAt));
  throw new Error(
    `LZ4 frame header checksum at payload byte ${start + checksumAt} is ${hex(found, 2)}, expected ${hex(expected, 2)}` +
      (overMagic ? ' (computed over the magic too, as Kafka 0.8/0.9 did for magic 0 messages: KAFKA-3160)' : ''),
  );
}
