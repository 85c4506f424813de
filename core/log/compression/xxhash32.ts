/**
 * XXH32, written from the xxHash specification. LZ4 frames use it for their header, block and
 * content checksums; tapedeck needs it to repair the header checksum of old Kafka LZ4 frames.
 */

const PRIME1 = 0x9e3779b1;
const PRIME2 = 0x85ebca77;
const PRIME3 = 0xc2b2ae3d;
const PRIME4 = 0x27d4eb2f;
const PRIME5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function readU32LE(data: Uint8Array, at: number): number {
  return (data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24)) >>> 0;
}

function round(acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, PRIME2)) | 0, 13), PRIME1);
}

/** The 32-bit XXH32 digest of `data`, as an unsigned number. */
export function xxhash32(data: Uint8Array, seed = 0): number {
  const length = data.length;
  let at = 0;
  let acc: number;

  if (length >= 16) {
    let v1 = (seed + PRIME1 + PRIME2) | 0;
    let v2 = (seed + PRIME2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - PRIME1) | 0;
    for (const stripesEnd = length - 16; at <= stripesEnd; at += 16) {
      v1 = round(v1, readU32LE(data, at));
      v2 = round(v2, readU32LE(data, at + 4));
      v3 = round(v3, readU32LE(data, at + 8));
      v4 = round(v4, readU32LE(data, at + 12));
    }
    acc = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    acc = (seed + PRIME5) | 0;
  }

  // The specification adds the length modulo 2^32.
  acc = (acc + length) | 0;

  for (; at + 4 <= length; at += 4) {
    acc = Math.imul(rotl((acc + Math.imul(readU32LE(data, at), PRIME3)) | 0, 17), PRIME4);
  }
  for (; at < length; at++) {
    acc = Math.imul(rotl((acc + Math.imul(data[at]!, PRIME5)) | 0, 11), PRIME1);
  }

  acc ^= acc >>> 15;
  acc = Math.imul(acc, PRIME2);
  acc ^= acc >>> 13;
  acc = Math.imul(acc, PRIME3);
  acc ^= acc >>> 16;
  return acc >>> 0;
}
