import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { javaStringHashCode, offsetsPartitionFor } from './group-partition';

describe('javaStringHashCode', () => {
  it('matches Java on known strings', () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('a')).toBe(97);
    expect(javaStringHashCode('hello')).toBe(99162322);
    // Wraps at 32 bits, as Java's int does.
    expect(javaStringHashCode('polygenelubricants')).toBe(-0x80000000);
  });

  it('hashes UTF-16 code units, not code points', () => {
    // U+1F600 is the surrogate pair D83D DE00 in UTF-16.
    expect(javaStringHashCode('\u{1F600}')).toBe(31 * 0xd83d + 0xde00);
    expect(javaStringHashCode('é')).toBe(0xe9);
  });
});

describe('offsetsPartitionFor', () => {
  it('places the groups of the reference and the fixtures', () => {
    expect(offsetsPartitionFor('schema-registry')).toBe(29);
    expect(offsetsPartitionFor('console-consumer-7889')).toBe(31);
    expect(offsetsPartitionFor('rupia-transaction-group')).toBe(44);
    expect(offsetsPartitionFor('flink-group')).toBe(36);
  });

  it('maps a hash of Integer.MIN_VALUE to partition 0, as Kafka Utils.abs does', () => {
    expect(offsetsPartitionFor('polygenelubricants')).toBe(0);
    expect(offsetsPartitionFor('polygenelubricants', 7)).toBe(0);
  });

  it('honours another partition count', () => {
    expect(offsetsPartitionFor('hello', 7)).toBe(99162322 % 7);
    expect(offsetsPartitionFor('anything', 1)).toBe(0);
    expect(() => offsetsPartitionFor('g', 0)).toThrow(RangeError);
  });

  it('always lands in [0, partitionCount)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 1, max: 1000 }), (group, n) => {
        const p = offsetsPartitionFor(group, n);
        return Number.isInteger(p) && p >= 0 && p < n;
      }),
    );
  });
});
