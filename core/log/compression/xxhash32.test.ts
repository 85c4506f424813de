import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { xxhash32 } from './xxhash32';

const dir = mkdtempSync(join(tmpdir(), 'tapedeck-xxhash32-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Compresses with the real lz4 CLI, whose frames carry XXH32 checksums we can check against. */
function lz4Frame(data: Uint8Array, flags: string[]): Buffer {
  const input = join(dir, 'in');
  const output = join(dir, 'out.lz4');
  writeFileSync(input, data);
  try {
    execFileSync('lz4', ['-q', '-f', ...flags, input, output], { stdio: 'pipe' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('the lz4 CLI is missing: install the Debian package lz4 (CI installs it)', { cause: error });
    }
    throw error;
  }
  return readFileSync(output);
}

const text = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('xxhash32', () => {
  it('matches the published vectors', () => {
    expect(xxhash32(new Uint8Array(0))).toBe(0x02cc5d05);
    expect(xxhash32(text('a'))).toBe(0x550d7456);
    expect(xxhash32(text('abc'))).toBe(0x32d153ff);
    expect(xxhash32(text('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f);
  });

  it('gives the header checksums every LZ4 frame starts with', () => {
    // 04 22 4D 18 64 40 A7 is the lz4 CLI's usual header; 60 40 82 is Kafka's.
    expect((xxhash32(Uint8Array.of(0x64, 0x40)) >>> 8) & 0xff).toBe(0xa7);
    expect((xxhash32(Uint8Array.of(0x60, 0x40)) >>> 8) & 0xff).toBe(0x82);
  });

  it('uses the seed', () => {
    expect(xxhash32(new Uint8Array(0), 1)).not.toBe(xxhash32(new Uint8Array(0), 0));
    expect(xxhash32(text('abc'), 0xffffffff)).toBe(xxhash32(text('abc'), -1));
  });

  it('agrees with the content checksum of frames from /usr/bin/lz4 at every tail length', () => {
    for (const length of [0, 1, 3, 4, 5, 15, 16, 17, 19, 31, 32, 33, 63, 64, 65, 1000, 70_000]) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 31 + (i >> 3)) & 0xff);
      const frame = lz4Frame(data, []);
      expect(frame.readUInt32LE(frame.length - 4), `length ${length}`).toBe(xxhash32(data));
    }
  });

  it('agrees with /usr/bin/lz4 on arbitrary input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (data) => {
        const frame = lz4Frame(data, []);
        expect(frame.readUInt32LE(frame.length - 4)).toBe(xxhash32(data));
      }),
      { numRuns: 30 },
    );
  });

  it('agrees with the header and block checksums /usr/bin/lz4 writes', () => {
    const data = Uint8Array.from({ length: 150_000 }, (_, i) => ((i * 7) ^ (i >> 9)) & 0xff);
    for (const flags of [['-BX'], ['-BX', '-B4'], ['-BX', '-B4', '-BD'], ['-BX', '--content-size']]) {
      const frame = lz4Frame(data, flags);
      const descriptorSize = frame[4]! & 0x08 ? 10 : 2;
      const checksumAt = 4 + descriptorSize;
      expect(frame[checksumAt], flags.join(' ')).toBe((xxhash32(frame.subarray(4, checksumAt)) >>> 8) & 0xff);

      let blocks = 0;
      for (let at = checksumAt + 1; frame.readUInt32LE(at) !== 0; blocks++) {
        const size = frame.readUInt32LE(at) & 0x7fffffff;
        const block = frame.subarray(at + 4, at + 4 + size);
        expect(frame.readUInt32LE(at + 4 + size), `${flags.join(' ')} block ${blocks}`).toBe(xxhash32(block));
        at += 4 + size + 4;
      }
      expect(blocks).toBeGreaterThan(0);
    }
  });
});
