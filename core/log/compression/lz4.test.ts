import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { compressLz4, decompressLz4 } from './lz4';
import { xxhash32 } from './xxhash32';

const dir = mkdtempSync(join(tmpdir(), 'tapedeck-lz4-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lz4Cli(args: string[]): void {
  try {
    execFileSync('lz4', ['-q', '-f', ...args], { stdio: 'pipe' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('the lz4 CLI is missing: install the Debian package lz4 (CI installs it)', { cause: error });
    }
    throw error;
  }
}

function cliCompress(data: Uint8Array, flags: string[]): Buffer {
  writeFileSync(join(dir, 'plain'), data);
  lz4Cli([...flags, join(dir, 'plain'), join(dir, 'packed.lz4')]);
  return readFileSync(join(dir, 'packed.lz4'));
}

function cliDecompress(frame: Uint8Array): Buffer {
  writeFileSync(join(dir, 'ours.lz4'), frame);
  lz4Cli(['-d', join(dir, 'ours.lz4'), join(dir, 'ours')]);
  return readFileSync(join(dir, 'ours'));
}

/** Compressible but not trivially so: log-like lines with changing numbers. */
function textLike(length: number): Buffer {
  let s = '';
  for (let i = 0; s.length < length; i++) s += `{"order":${i},"sku":"A-${(i * 7919) % 1000}","qty":${i % 13}}\n`;
  return Buffer.from(s.slice(0, length));
}

/** Sizes of the blocks of a frame without content size, dictionary or block checksums. */
function blockSizes(frame: Buffer): { size: number; uncompressed: boolean }[] {
  const blocks: { size: number; uncompressed: boolean }[] = [];
  for (let at = 7; frame.readUInt32LE(at) !== 0; ) {
    const word = frame.readUInt32LE(at);
    blocks.push({ size: word & 0x7fffffff, uncompressed: word >>> 31 === 1 });
    at += 4 + (word & 0x7fffffff);
  }
  return blocks;
}

/** The frame as Kafka 0.8/0.9 wrote it: header checksum over magic and descriptor. */
function withBrokenHeaderChecksum(frame: Buffer): Buffer {
  const broken = Buffer.from(frame);
  broken[6] = (xxhash32(broken.subarray(0, 6)) >>> 8) & 0xff;
  return broken;
}

describe('compressLz4', () => {
  it.each([0, 1, 1000, 64 * 1024, 64 * 1024 + 1, 300_000])(
    'writes Kafka’s frame descriptor (FLG 0x60, BD 0x40) for %i bytes',
    (length) => {
      const frame = compressLz4(textLike(length));
      expect(frame.subarray(0, 7).toString('hex')).toBe('04224d18604082');
      expect(frame.subarray(frame.length - 4).toString('hex')).toBe('00000000');
      expect(blockSizes(frame)).toHaveLength(Math.ceil(length / (64 * 1024)));
    },
  );

  it('stores incompressible blocks uncompressed, as the frame format allows', () => {
    const data = randomBytes(100_000);
    const frame = compressLz4(data);
    expect(blockSizes(frame)).toEqual([
      { size: 65536, uncompressed: true },
      { size: 100_000 - 65536, uncompressed: true },
    ]);
    expect(decompressLz4(frame).equals(data)).toBe(true);
  });

  it.each([0, 10, 70_000, 300_000])('writes %i bytes that `lz4 -d` reads back', (length) => {
    const compressible = textLike(length);
    expect(cliDecompress(compressLz4(compressible)).equals(compressible)).toBe(true);
    const random = randomBytes(length);
    expect(cliDecompress(compressLz4(random)).equals(random)).toBe(true);
  });
});

describe('decompressLz4', () => {
  const data = Buffer.concat([textLike(200_000), randomBytes(70_000), textLike(30_000)]);

  it.each([
    [['-B4', '-BD']],
    [['-B4', '-BI']],
    [['-B4', '--no-frame-crc']],
    [['-B4', '-BD', '--no-frame-crc']],
    [['-B4', '-BX']],
    [['-B5', '--content-size']],
    [[]],
  ])('reads frames from /usr/bin/lz4 %j', (flags) => {
    const frame = cliCompress(data, flags);
    if (flags.includes('-BD')) expect(frame[4]! & 0x20, 'the CLI wrote linked blocks').toBe(0);
    expect(decompressLz4(frame).equals(data)).toBe(true);
  });

  it('reads concatenated frames, as the lz4 CLI does', () => {
    const both = Buffer.concat([compressLz4(textLike(100)), cliCompress(textLike(70_000), ['-B4'])]);
    expect(decompressLz4(both).equals(Buffer.concat([textLike(100), textLike(70_000)]))).toBe(true);
  });

  it('repairs the header checksum Kafka 0.8/0.9 wrote only when asked (KAFKA-3160)', () => {
    const broken = withBrokenHeaderChecksum(compressLz4(data));
    const copy = Buffer.from(broken);
    expect(() => decompressLz4(broken)).toThrow(/header checksum at payload byte 6 is 0x[0-9A-F]{2}, expected 0x82 .*KAFKA-3160/);
    expect(decompressLz4(broken, { legacyBrokenHeaderChecksum: true }).equals(data)).toBe(true);
    expect(broken.equals(copy), 'the caller’s bytes are left alone').toBe(true);
    // A correct checksum stays acceptable with the option: 0.10+ brokers wrote correct ones for magic 0 too.
    expect(decompressLz4(compressLz4(data), { legacyBrokenHeaderChecksum: true }).equals(data)).toBe(true);
  });

  it('rejects every truncation of a multi-block frame, including at block boundaries', () => {
    const frame = compressLz4(Buffer.concat([textLike(140_000), randomBytes(1000)]));
    const boundaries = [0, frame.length];
    for (let at = 7; at < frame.length; at += 4 + (frame.readUInt32LE(at) & 0x7fffffff)) boundaries.push(at);
    const cuts = new Set<number>();
    for (let length = 0; length < frame.length; length += 61) cuts.add(length);
    for (const boundary of boundaries) {
      for (let length = boundary - 8; length <= boundary + 8; length++) cuts.add(length);
    }
    for (const length of cuts) {
      if (length < 0 || length >= frame.length) continue;
      expect(() => decompressLz4(frame.subarray(0, length)), `cut at ${length}`).toThrow();
    }
  });

  it('says which block is cut short', () => {
    const frame = compressLz4(randomBytes(70_000));
    expect(() => decompressLz4(frame.subarray(0, 7 + 4 + 65536 + 4 + 100))).toThrow(
      'LZ4 block 1 at payload byte 65547 declares 4464 bytes, but only 100 follow',
    );
  });

  it('rejects bytes after the frame', () => {
    const frame = Buffer.concat([compressLz4(textLike(100)), Buffer.from('junk')]);
    expect(() => decompressLz4(frame)).toThrow(/no LZ4 frame at payload byte \d+: magic is 0x6B6E756A/);
  });

  it('rejects a wrong magic, version or block size, and oversized blocks', () => {
    const frame = compressLz4(textLike(1000));
    const patched = (at: number, byte: number): Buffer => {
      const copy = Buffer.from(frame);
      copy[at] = byte;
      return copy;
    };
    expect(() => decompressLz4(patched(0, 0x05))).toThrow(/no LZ4 frame at payload byte 0/);
    expect(() => decompressLz4(patched(4, 0xa0))).toThrow(/unknown version/);
    expect(() => decompressLz4(patched(5, 0x30))).toThrow(/names no valid block size/);
    const oversized = Buffer.from(frame);
    oversized.writeUInt32LE((0x80000000 | (64 * 1024 + 1)) >>> 0, 7);
    expect(() => decompressLz4(oversized)).toThrow(/declares 65537 bytes, more than the frame's 65536-byte maximum/);
  });

  it('reports a wrong header checksum that is not the KAFKA-3160 one plainly', () => {
    const frame = compressLz4(textLike(1000));
    frame[6] = 0x00;
    expect(() => decompressLz4(frame)).toThrow(/header checksum at payload byte 6 is 0x00, expected 0x82$/);
  });
});
