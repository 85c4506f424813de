import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ByteCursor,
  VarintError,
  sizeOfUnsignedVarint,
  sizeOfVarint,
  sizeOfVarlong,
  writeUnsignedVarint,
  writeVarint,
  writeVarlong,
  zigzag32,
} from './varint';

const INT32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
const UINT32 = fc.integer({ min: 0, max: 0xffff_ffff });
const SAFE = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });

function varintBytes(value: number): string {
  const buf = Buffer.alloc(5);
  return buf.subarray(0, writeVarint(buf, value, 0)).toString('hex');
}

function varlongBytes(value: number): string {
  const buf = Buffer.alloc(10);
  return buf.subarray(0, writeVarlong(buf, value, 0)).toString('hex');
}

function cursorOver(hex: string, start = 0): ByteCursor {
  const buf = Buffer.from(hex, 'hex');
  return new ByteCursor(buf, start, buf.length);
}

function varintErrorOf(fn: () => unknown): VarintError {
  try {
    fn();
  } catch (error) {
    if (error instanceof VarintError) return error;
    throw error;
  }
  throw new Error('expected a VarintError');
}

/** Zigzag LEB128 written from the reference's definition, with BigInt so no precision is lost. */
function referenceZigzagLeb128(value: bigint, bits: 32n | 64n): string {
  let raw = BigInt.asUintN(Number(bits), (value << 1n) ^ (value >> (bits - 1n)));
  const out: number[] = [];
  do {
    const low = Number(raw & 0x7fn);
    raw >>= 7n;
    out.push(raw ? low | 0x80 : low);
  } while (raw);
  return Buffer.from(out).toString('hex');
}

describe('known encodings (kafka-format.md section 2.3)', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [-65, '8101'],
    [300, 'd804'],
    [0x7fff_ffff, 'feffffff0f'],
    [-0x8000_0000, 'ffffffff0f'],
  ];

  it.each(cases)('varint %d is %s', (value, hex) => {
    expect(varintBytes(value)).toBe(hex);
    expect(sizeOfVarint(value)).toBe(hex.length / 2);
    const cursor = cursorOver(hex);
    expect(cursor.readVarint()).toBe(value);
    expect(cursor.pos).toBe(hex.length / 2);
  });

  it.each(cases)('varlong %d is %s too', (value, hex) => {
    expect(varlongBytes(value)).toBe(hex);
    expect(sizeOfVarlong(value)).toBe(hex.length / 2);
    expect(cursorOver(hex).readVarlong()).toBe(value);
  });

  it('encodes millisecond timestamps and -1 as varlongs the way Kafka does', () => {
    expect(varlongBytes(1_600_054_563_906)).toBe(referenceZigzagLeb128(1_600_054_563_906n, 64n));
    expect(varlongBytes(-1_600_054_563_906)).toBe(referenceZigzagLeb128(-1_600_054_563_906n, 64n));
    expect(varlongBytes(2 ** 40)).toBe('808080808040');
  });

  it('unsigned varints have no zigzag', () => {
    const buf = Buffer.alloc(5);
    expect(buf.subarray(0, writeUnsignedVarint(buf, 300, 0)).toString('hex')).toBe('ac02');
    expect(buf.subarray(0, writeUnsignedVarint(buf, 0xffff_ffff, 0)).toString('hex')).toBe('ffffffff0f');
    expect(cursorOver('ac02').readUnsignedVarint()).toBe(300);
    expect(cursorOver('ffffffff0f').readUnsignedVarint()).toBe(0xffff_ffff);
    expect(zigzag32(-1)).toBe(1);
    expect(zigzag32(-0x8000_0000)).toBe(0xffff_ffff);
  });
});

describe('round trips', () => {
  it('varint: every int32 value, matching the reference encoding and sizeOfVarint', () => {
    fc.assert(
      fc.property(INT32, fc.integer({ min: 0, max: 7 }), (value, at) => {
        const buf = Buffer.alloc(at + 5, 0xaa);
        const end = writeVarint(buf, value, at);
        expect(end - at).toBe(sizeOfVarint(value));
        expect(buf.subarray(at, end).toString('hex')).toBe(referenceZigzagLeb128(BigInt(value), 32n));
        const cursor = new ByteCursor(buf, at, end);
        expect(cursor.readVarint()).toBe(value);
        expect(cursor.pos).toBe(end);
      }),
      { numRuns: 2000 },
    );
  });

  it('varlong: every safe integer, matching the reference encoding and sizeOfVarlong', () => {
    fc.assert(
      fc.property(SAFE, (value) => {
        const buf = Buffer.alloc(10);
        const end = writeVarlong(buf, value, 0);
        expect(end).toBe(sizeOfVarlong(value));
        expect(buf.subarray(0, end).toString('hex')).toBe(referenceZigzagLeb128(BigInt(value), 64n));
        const cursor = new ByteCursor(buf, 0, end);
        expect(cursor.readVarlong()).toBe(value);
        expect(cursor.pos).toBe(end);
      }),
      { numRuns: 2000 },
    );
  });

  it('varlong: the ends of the safe range (2^52 and beyond)', () => {
    for (const value of [2 ** 52 - 1, 2 ** 52, -(2 ** 52), -(2 ** 52) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      const buf = Buffer.alloc(10);
      const end = writeVarlong(buf, value, 0);
      expect(new ByteCursor(buf, 0, end).readVarlong(), `varlong ${value}`).toBe(value);
    }
  });

  it('varlong: refuses to write what is not a safe integer', () => {
    const buf = Buffer.alloc(10);
    expect(() => writeVarlong(buf, 2 ** 53, 0)).toThrow(RangeError);
    expect(() => writeVarlong(buf, 1.5, 0)).toThrow(RangeError);
    expect(() => sizeOfVarlong(-(2 ** 53))).toThrow(RangeError);
  });

  it('unsigned varint: every uint32 value', () => {
    fc.assert(
      fc.property(UINT32, (value) => {
        const buf = Buffer.alloc(5);
        const end = writeUnsignedVarint(buf, value, 0);
        expect(end).toBe(sizeOfUnsignedVarint(value));
        const cursor = new ByteCursor(buf, 0, end);
        expect(cursor.readUnsignedVarint()).toBe(value);
        expect(cursor.pos).toBe(end);
      }),
      { numRuns: 1000 },
    );
  });

  it('sequences of mixed values read back in order from one cursor', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(INT32.map((v) => ['int', v] as const), SAFE.filter((v) => Math.abs(v) < 2 ** 51).map((v) => ['long', v] as const))), (values) => {
        const buf = Buffer.alloc(values.length * 10);
        let end = 0;
        for (const [kind, v] of values) end = kind === 'int' ? writeVarint(buf, v, end) : writeVarlong(buf, v, end);
        const cursor = new ByteCursor(buf, 0, end);
        for (const [kind, v] of values) expect(kind === 'int' ? cursor.readVarint() : cursor.readVarlong()).toBe(v);
        expect(cursor.pos).toBe(end);
      }),
    );
  });

  it('size functions agree with the bytes written at every length boundary', () => {
    for (let bits = 0; bits <= 31; bits++) {
      for (const v of [2 ** bits - 1, 2 ** bits, -(2 ** bits), -(2 ** bits) - 1]) {
        if (v < -0x8000_0000 || v > 0x7fff_ffff) continue;
        expect(sizeOfVarint(v), `varint ${v}`).toBe(varintBytes(v).length / 2);
      }
    }
    for (let bits = 0; bits <= 52; bits++) {
      for (const v of [2 ** bits - 1, 2 ** bits, -(2 ** bits), -(2 ** bits) - 1]) {
        expect(sizeOfVarlong(v), `varlong ${v}`).toBe(varlongBytes(v).length / 2);
      }
    }
    expect(sizeOfVarlong(Number.MAX_SAFE_INTEGER)).toBe(8);
    expect(sizeOfVarlong(Number.MIN_SAFE_INTEGER)).toBe(8);
  });
});

describe('malformed input', () => {
  it('a truncated varint names the byte where it started', () => {
    const buf = Buffer.from('0000008080', 'hex');
    const error = varintErrorOf(() => new ByteCursor(buf, 3, buf.length).readVarint());
    expect(error.position).toBe(3);
    expect(error.message).toMatch(/past the end/);
  });

  it('an empty range is a truncated varint, varlong and unsigned varint', () => {
    const buf = Buffer.from('02', 'hex');
    // The byte exists in the buffer but lies outside the cursor's range.
    expect(varintErrorOf(() => new ByteCursor(buf, 0, 0).readVarint()).position).toBe(0);
    expect(varintErrorOf(() => new ByteCursor(buf, 0, 0).readVarlong()).position).toBe(0);
    expect(varintErrorOf(() => new ByteCursor(buf, 0, 0).readUnsignedVarint()).position).toBe(0);
  });

  it('the cursor end is a hard limit even when the buffer continues', () => {
    const buf = Buffer.from('8001', 'hex');
    expect(() => new ByteCursor(buf, 0, 1).readVarint()).toThrow(VarintError);
    expect(() => new ByteCursor(buf, 0, 1).readVarlong()).toThrow(VarintError);
  });

  it('a truncated varlong names the byte where it started', () => {
    const buf = Buffer.from('ff' + '8080808080', 'hex');
    const error = varintErrorOf(() => new ByteCursor(buf, 1, buf.length).readVarlong());
    expect(error.position).toBe(1);
    expect(error.message).toMatch(/past the end/);
  });

  it('a varint longer than 5 bytes is refused at its first byte', () => {
    const error = varintErrorOf(() => cursorOver('aa8080808080' + '00', 1).readVarint());
    expect(error.position).toBe(1);
    expect(error.message).toMatch(/longer than 5 bytes/);
    expect(() => cursorOver('808080808000').readUnsignedVarint()).toThrow(/longer than 5 bytes/);
  });

  it('a varlong longer than 10 bytes is refused at its first byte', () => {
    const error = varintErrorOf(() => cursorOver('00' + '80'.repeat(10) + '00', 1).readVarlong());
    expect(error.position).toBe(1);
    expect(error.message).toMatch(/longer than 10 bytes/);
  });

  it('a 10-byte varlong beyond 2^53 is refused rather than read imprecisely', () => {
    // zigzag(2^62) = 2^63: far outside what a JS number holds exactly
    const error = varintErrorOf(() => cursorOver('80808080808080808001').readVarlong());
    expect(error.position).toBe(0);
    expect(error.message).toMatch(/2\^53/);
  });
});
