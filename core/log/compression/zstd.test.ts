import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compressZstd, decompressZstd } from './zstd';

function zstdCli(args: string[], input: Uint8Array): Buffer {
  try {
    // Through stdin, as a stream: the CLI cannot know the size and leaves it out of the frame.
    return execFileSync('zstd', ['-q', '-c', ...args], { input, stdio: 'pipe', maxBuffer: 64 << 20 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('the zstd CLI is missing: install the Debian package zstd (CI installs it)', { cause: error });
    }
    throw error;
  }
}

function textLike(length: number): Buffer {
  let s = '';
  for (let i = 0; s.length < length; i++) s += `{"id":${i},"temp":${(i * 37) % 101}}\n`;
  return Buffer.from(s.slice(0, length));
}

const data = Buffer.concat([textLike(300_000), randomBytes(5000)]);

describe('zstd', () => {
  it('reads streaming frames without a content size, as zstd-jni and `zstd` on stdin write them', () => {
    const frame = zstdCli([], data);
    const descriptor = frame[4]!;
    expect(descriptor >> 6, 'no content size field').toBe(0);
    expect(descriptor & 0x20, 'not single-segment').toBe(0);
    expect(decompressZstd(frame).equals(data)).toBe(true);
  });

  it.each([0, 1, 100_000])('writes %i bytes that `zstd -d` reads back', (length) => {
    const input = data.subarray(0, length);
    expect(zstdCli(['-d'], compressZstd(input)).equals(input)).toBe(true);
  });

  it('compresses at level 3 by default', () => {
    expect(compressZstd(data).equals(compressZstd(data, 3))).toBe(true);
    expect(compressZstd(data).equals(compressZstd(data, 19))).toBe(false);
  });

  it('reads concatenated frames', () => {
    const two = Buffer.concat([compressZstd(data), zstdCli([], textLike(10))]);
    expect(decompressZstd(two).equals(Buffer.concat([data, textLike(10)]))).toBe(true);
  });

  it('rejects truncated frames and bytes after the last frame', () => {
    const frame = compressZstd(data);
    for (const length of [0, 3, 10, frame.length >> 1, frame.length - 1]) {
      expect(() => decompressZstd(frame.subarray(0, length)), `cut at ${length}`).toThrow();
    }
    expect(() => decompressZstd(Buffer.concat([frame, Buffer.from('junk')]))).toThrow();
  });
});
