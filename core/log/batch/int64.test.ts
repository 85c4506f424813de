import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readInt64, writeInt64 } from './int64';

describe('int64 fields', () => {
  it('round-trip every safe integer and agree with Node BigInt encoding', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 8 }), (value, at) => {
        const buf = Buffer.alloc(at + 8, 0x5a);
        writeInt64(buf, value, at);
        expect(buf.readBigInt64BE(at)).toBe(BigInt(value));
        expect(readInt64(buf, at)).toBe(value);
        expect(buf.subarray(0, at).every((b) => b === 0x5a)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the values Kafka uses for "none" and real offsets and timestamps', () => {
    expect(readInt64(Buffer.from('ffffffffffffffff', 'hex'), 0)).toBe(-1);
    expect(readInt64(Buffer.from('000001748aaf1442', 'hex'), 0)).toBe(1_600_054_563_906);
    expect(readInt64(Buffer.from('00000000001a53e5', 'hex'), 0)).toBe(1_725_413);
    expect(readInt64(Buffer.from('fffffffe00000000', 'hex'), 0)).toBe(-(2 ** 33));
    const buf = Buffer.alloc(8);
    writeInt64(buf, -1, 0);
    expect(buf.toString('hex')).toBe('ffffffffffffffff');
    writeInt64(buf, -(2 ** 32), 0);
    expect(buf.toString('hex')).toBe('ffffffff00000000');
  });

  it('refuses to write values a JS number cannot hold exactly', () => {
    const buf = Buffer.alloc(8);
    expect(() => writeInt64(buf, 2 ** 53, 0)).toThrow(RangeError);
    expect(() => writeInt64(buf, -(2 ** 53), 0)).toThrow(RangeError);
    expect(() => writeInt64(buf, 0.5, 0)).toThrow(RangeError);
    expect(() => writeInt64(buf, Number.NaN, 0)).toThrow(RangeError);
  });
});
