import { compressSync, uncompressSync } from 'snappy';

/**
 * Kafka payloads come in two snappy forms: Java producers write xerial's framing (a header, then
 * length-prefixed raw blocks), librdkafka and kcat write one raw snappy block. Readers must accept
 * both; tapedeck writes the xerial form because both Java and librdkafka read it.
 */

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_VERSION = 1;
const XERIAL_COMPATIBLE_VERSION = 1;
// xerial's SnappyOutputStream default, so our blocks look like a Java producer's.
const XERIAL_BLOCK_SIZE = 32 * 1024;

// Snappy's densest element is a 3-byte copy of 64 bytes, so a block can never expand further. A
// corrupt length preamble would otherwise have the library allocate up to 4 GiB before failing.
const MAX_EXPANSION = 64 / 3;

export function compressSnappy(data: Uint8Array): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(XERIAL_VERSION, 8);
  header.writeInt32BE(XERIAL_COMPATIBLE_VERSION, 12);
  const parts: Buffer[] = [header];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_SIZE) {
    const block = compressSync(data.subarray(at, at + XERIAL_BLOCK_SIZE));
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

export function decompressSnappy(data: Uint8Array): Buffer {
  return isXerial(data) ? decompressXerial(data) : decompressRaw(data);
}

function isXerial(data: Uint8Array): boolean {
  return data.length >= XERIAL_MAGIC.length && XERIAL_MAGIC.equals(data.subarray(0, XERIAL_MAGIC.length));
}

function decompressXerial(data: Uint8Array): Buffer {
  if (data.length < XERIAL_HEADER_SIZE) {
    throw new Error(`xerial header is truncated: ${data.length} of ${XERIAL_HEADER_SIZE} bytes`);
  }
  // The version fields are not checked: every xerial release writes 1 and 1, and the block layout
  // after them has never changed.
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const parts: Buffer[] = [];
  for (let at = XERIAL_HEADER_SIZE, index = 0; at < data.length; index++) {
    const where = `xerial block ${index} at payload byte ${at}`;
    if (data.length - at < 4) throw new Error(`${where}: only ${data.length - at} of its 4 length bytes are present`);
    const length = view.getInt32(at);
    const start = at + 4;
    if (length < 0 || length > data.length - start) {
      throw new Error(`${where} declares ${length} bytes, but ${data.length - start} follow`);
    }
    try {
      parts.push(decompressRaw(data.subarray(start, start + length)));
    } catch (error) {
      throw new Error(`${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    at = start + length;
  }
  return Buffer.concat(parts);
}

function decompressRaw(block: Uint8Array): Buffer {
  const preamble = readLengthPreamble(block);
  if (preamble !== undefined && preamble.length > (block.length - preamble.size) * MAX_EXPANSION) {
    throw new Error(
      `raw snappy block of ${block.length} bytes claims ${preamble.length} uncompressed bytes, more than it can hold`,
    );
  }
  return uncompressSync(block, { asBuffer: true }) as Buffer;
}

/** The uncompressed length a raw block starts with (a varint), or undefined if it is malformed. */
function readLengthPreamble(block: Uint8Array): { length: number; size: number } | undefined {
  let length = 0;
  for (let i = 0; i < 5 && i < block.length; i++) {
    const byte = block[i]!;
    length += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return { length, size: i + 1 };
  }
  return undefined;
}
