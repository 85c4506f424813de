import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixturePath, useTempDirs } from '../log-fixtures.test-support';
import { SegmentFile } from './segment-file';

const temp = useTempDirs();

describe('SegmentFile', () => {
  it('reads any range of a real log exactly as the file holds it, whatever the window size', () => {
    const path = fixturePath('kafka-keyed/test-0921-0/00000000000000000000.log');
    const whole = readFileSync(path);
    const file = new SegmentFile(path);
    expect(file.size).toBe(153_488);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: whole.length }), fc.integer({ min: 0, max: 5000 }), fc.constantFrom(17, 61, 4096, 1 << 20), (position, length, window) => {
        const got = file.read(position, length, window);
        expect(got.equals(whole.subarray(position, Math.min(position + length, whole.length)))).toBe(true);
      }),
      { numRuns: 1000 },
    );
    file.close();
  });

  it('buffers it handed out stay valid after later reads', () => {
    const path = join(temp.make(), 'x.log');
    const whole = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff));
    writeFileSync(path, whole);
    const file = new SegmentFile(path);
    const first = file.read(10, 100, 128);
    const copy = Buffer.from(first);
    file.read(200_000, 100, 128);
    file.read(5, 50, 128);
    expect(first.equals(copy)).toBe(true);
    expect(first.equals(whole.subarray(10, 110))).toBe(true);
    file.close();
  });

  it('returns fewer bytes only at the end of the file, and none past it', () => {
    const path = join(temp.make(), 'x.log');
    writeFileSync(path, Buffer.from('0123456789'));
    const file = new SegmentFile(path);
    expect(file.read(7, 10).toString()).toBe('789');
    expect(file.read(10, 10)).toHaveLength(0);
    expect(file.read(25, 10)).toHaveLength(0);
    file.close();
  });

  it('sees growth only after refreshSize', () => {
    const path = join(temp.make(), 'x.log');
    writeFileSync(path, Buffer.from('abc'));
    const file = new SegmentFile(path);
    expect(file.read(0, 10).toString()).toBe('abc');
    appendFileSync(path, 'defg');
    expect(file.size).toBe(3);
    expect(file.refreshSize()).toBe(7);
    expect(file.read(0, 10).toString()).toBe('abcdefg');
    expect(file.read(5, 10).toString()).toBe('fg');
    file.close();
  });

  it('refuses reads after close, and closing twice is harmless', () => {
    const path = join(temp.make(), 'x.log');
    writeFileSync(path, Buffer.alloc(10));
    const file = new SegmentFile(path);
    file.close();
    file.close();
    expect(() => file.read(0, 5)).toThrow(/closed/);
  });

  it('a missing file fails on open', () => {
    expect(() => new SegmentFile(join(temp.make(), 'nope.log'))).toThrow(/ENOENT/);
  });
});
