import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compressGzip, decompressGzip } from './gzip';

function gzipCli(args: string[], input: Uint8Array): Buffer {
  try {
    return execFileSync('gzip', ['-c', ...args], { input, stdio: 'pipe', maxBuffer: 64 << 20 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('the gzip CLI is missing: install the Debian package gzip (CI installs it)', { cause: error });
    }
    throw error;
  }
}

function textLike(length: number): Buffer {
  let s = '';
  for (let i = 0; s.length < length; i++) s += `payment ${i} of ${(i * 13) % 977} cents\n`;
  return Buffer.from(s.slice(0, length));
}

const data = Buffer.concat([textLike(200_000), randomBytes(3000)]);

describe('gzip', () => {
  it('reads what the gzip CLI writes', () => {
    expect(decompressGzip(gzipCli(['-9'], data)).equals(data)).toBe(true);
    expect(decompressGzip(gzipCli([], new Uint8Array(0))).length).toBe(0);
  });

  it.each([0, 1, 200_000])('writes %i bytes that `gzip -d` reads back', (length) => {
    const input = data.subarray(0, length);
    expect(gzipCli(['-d'], compressGzip(input)).equals(input)).toBe(true);
  });

  it('reads several members, as Java’s GZIPInputStream does', () => {
    const two = Buffer.concat([compressGzip(textLike(10)), gzipCli([], textLike(20))]);
    expect(decompressGzip(two).equals(Buffer.concat([textLike(10), textLike(20)]))).toBe(true);
  });

  it('rejects truncation and a wrong CRC', () => {
    const member = compressGzip(data);
    for (const length of [0, 5, 10, member.length >> 1, member.length - 1]) {
      expect(() => decompressGzip(member.subarray(0, length)), `cut at ${length}`).toThrow();
    }
    const badCrc = Buffer.from(member);
    badCrc[badCrc.length - 8] = badCrc[badCrc.length - 8]! ^ 1;
    expect(() => decompressGzip(badCrc)).toThrow(/incorrect data check/);
  });
});
