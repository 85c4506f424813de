import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from './murmur2';

const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('murmur2', () => {
  // The Java client's own test vectors (UtilsTest.testMurmur2), quoted in kafka-format.md section 5.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %s as the Java client does', (input, expected) => {
    expect(murmur2(bytes(input))).toBe(expected);
  });

  it('uses toPositive, not Math.abs, for the partition', () => {
    // "foobar" hashes negative: Java puts it in partition 0 of 3; an unsigned shift would give 2.
    expect(partitionForKey(bytes('foobar'), 3)).toBe(0);
    expect((murmur2(bytes('foobar')) >>> 0) % 3).toBe(2);
  });

  it('keeps every key inside the partition range', () => {
    for (let i = 0; i < 1000; i++) {
      const p = partitionForKey(bytes(`key-${i}`), 7);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(7);
    }
  });
});
