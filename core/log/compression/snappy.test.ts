import { randomBytes } from 'node:crypto';
import { compressSync, uncompressSync } from 'snappy';
import { describe, expect, it } from 'vitest';
import { compressSnappy, decompressSnappy } from './snappy';

const XERIAL_HEADER = '82534e415050590000000001' + '00000001';

function textLike(length: number): Buffer {
  let s = '';
  for (let i = 0; s.length < length; i++) s += `event ${i} user-${(i * 7919) % 500} clicked\n`;
  return Buffer.from(s.slice(0, length));
}

/** Builds a xerial stream by hand: header, then each block as int32 BE length + raw snappy. */
function xerial(...blocks: Uint8Array[]): Buffer {
  const parts = [Buffer.from(XERIAL_HEADER, 'hex')];
  for (const block of blocks) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    parts.push(length, Buffer.from(block));
  }
  return Buffer.concat(parts);
}

/** Splits what we wrote back into its raw blocks. */
function xerialBlocks(stream: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  for (let at = 16; at < stream.length; ) {
    const length = stream.readInt32BE(at);
    blocks.push(stream.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return blocks;
}

describe('compressSnappy', () => {
  it('writes the xerial header Java producers write', () => {
    expect(compressSnappy(textLike(10)).subarray(0, 16).toString('hex')).toBe(XERIAL_HEADER);
    expect(compressSnappy(new Uint8Array(0)).toString('hex')).toBe(XERIAL_HEADER);
  });

  it('cuts the input into blocks of 32 KiB, xerial’s default', () => {
    const data = textLike(100_000);
    const blocks = xerialBlocks(compressSnappy(data)).map((block) => uncompressSync(block) as Buffer);
    expect(blocks.map((block) => block.length)).toEqual([32768, 32768, 32768, 100_000 - 3 * 32768]);
    expect(Buffer.concat(blocks).equals(data)).toBe(true);
  });
});

describe('decompressSnappy', () => {
  it('reads raw snappy, as librdkafka and kcat write it', () => {
    const data = textLike(100_000);
    expect(decompressSnappy(compressSync(data)).equals(data)).toBe(true);
    expect(decompressSnappy(compressSync(Buffer.alloc(0))).length).toBe(0);
  });

  it('reads a hand-assembled xerial stream and joins its blocks', () => {
    const parts = [textLike(5000), randomBytes(300), textLike(1)];
    expect(decompressSnappy(xerial(...parts.map((p) => compressSync(p)))).equals(Buffer.concat(parts))).toBe(true);
    expect(decompressSnappy(xerial()).length).toBe(0);
  });

  it('says which block is cut short and where it starts', () => {
    const stream = xerial(compressSync(textLike(100)), compressSync(textLike(5000)));
    const secondAt = 16 + 4 + compressSync(textLike(100)).length;
    expect(() => decompressSnappy(stream.subarray(0, stream.length - 1))).toThrow(
      new RegExp(`^xerial block 1 at payload byte ${secondAt} declares \\d+ bytes, but \\d+ follow$`),
    );
    expect(() => decompressSnappy(stream.subarray(0, secondAt + 2))).toThrow(
      `xerial block 1 at payload byte ${secondAt}: only 2 of its 4 length bytes are present`,
    );
    expect(() => decompressSnappy(stream.subarray(0, 12))).toThrow('xerial header is truncated: 12 of 16 bytes');
  });

  it('rejects a negative block length', () => {
    const stream = xerial(compressSync(textLike(100)));
    stream.writeInt32BE(-1, 16);
    expect(() => decompressSnappy(stream)).toThrow('xerial block 0 at payload byte 16 declares -1 bytes, but');
  });

  it('names the block whose snappy data is corrupt', () => {
    const block = compressSync(textLike(1000));
    block[block.length - 20] = block[block.length - 20]! ^ 0xff;
    block[5] = 0xff;
    const first = compressSync(textLike(10));
    expect(() => decompressSnappy(xerial(first, block))).toThrow(
      new RegExp(`^xerial block 1 at payload byte ${16 + 4 + first.length}: snappy`),
    );
  });

  it('rejects a raw block whose length preamble is larger than the block could hold', () => {
    // Preamble 0xFFFFFFFF (4 GiB) in front of one literal byte.
    expect(() => decompressSnappy(Buffer.from('ffffffff0f0061', 'hex'))).toThrow(/claims 4294967295 uncompressed bytes/);
  });

  it('rejects truncated raw snappy', () => {
    const raw = compressSync(textLike(10_000));
    for (const length of [0, 1, raw.length >> 1, raw.length - 1]) {
      expect(() => decompressSnappy(raw.subarray(0, length)), `cut at ${length}`).toThrow();
    }
  });

  it('cannot notice a xerial stream cut exactly between blocks: xerial has no end mark, the batch CRC catches it', () => {
    const data = textLike(70_000);
    const stream = compressSnappy(data);
    const firstBlockEnd = 16 + 4 + stream.readInt32BE(16);
    expect(decompressSnappy(stream.subarray(0, firstBlockEnd)).equals(data.subarray(0, 32768))).toBe(true);
  });
});
