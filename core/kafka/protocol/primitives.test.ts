import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from './protocol-error';
import { ProtocolReader } from './reader';
import { ProtocolWriter } from './writer';

function written(write: (writer: ProtocolWriter) => void): string {
  const writer = new ProtocolWriter(16);
  write(writer);
  return writer.toBuffer().toString('hex');
}

function reader(hex: string, context = 'Test v0'): ProtocolReader {
  return new ProtocolReader(Buffer.from(hex.replaceAll(' ', ''), 'hex'), { context });
}

function roundTrip<T>(value: T, write: (w: ProtocolWriter, v: T) => void, read: (r: ProtocolReader) => T): T {
  const writer = new ProtocolWriter(8);
  write(writer, value);
  const r = new ProtocolReader(writer.toBuffer());
  const back = read(r);
  expect(r.remaining).toBe(0);
  return back;
}

const safeInt64 = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const buffer: fc.Arbitrary<Buffer> = fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes));

describe('primitive round trips', () => {
  it('fixed-width integers, floats and bools', () => {
    fc.assert(fc.property(fc.integer({ min: -128, max: 127 }), (v) => void expect(roundTrip(v, (w, x) => w.int8(x), (r) => r.int8())).toBe(v)));
    fc.assert(fc.property(fc.integer({ min: -32768, max: 32767 }), (v) => void expect(roundTrip(v, (w, x) => w.int16(x), (r) => r.int16())).toBe(v)));
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), (v) => void expect(roundTrip(v, (w, x) => w.uint16(x), (r) => r.uint16())).toBe(v)));
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => void expect(roundTrip(v, (w, x) => w.int32(x), (r) => r.int32())).toBe(v)));
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (v) => void expect(roundTrip(v, (w, x) => w.uint32(x), (r) => r.uint32())).toBe(v)));
    fc.assert(fc.property(safeInt64, (v) => void expect(roundTrip(v, (w, x) => w.int64(x), (r) => r.int64())).toBe(v)));
    fc.assert(fc.property(fc.double(), (v) => void expect(Object.is(roundTrip(v, (w, x) => w.float64(x), (r) => r.float64()), v)).toBe(true)));
    fc.assert(fc.property(fc.boolean(), (v) => void expect(roundTrip(v, (w, x) => w.bool(x), (r) => r.bool())).toBe(v)));
  });

  it('variable-length integers', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (v) => void expect(roundTrip(v, (w, x) => w.uvarint(x), (r) => r.uvarint())).toBe(v)));
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => void expect(roundTrip(v, (w, x) => w.varint(x), (r) => r.varint())).toBe(v)));
    fc.assert(fc.property(safeInt64, (v) => void expect(roundTrip(v, (w, x) => w.varlong(x), (r) => r.varlong())).toBe(v)));
  });

  it('uuids', () => {
    const uuid = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64url'));
    fc.assert(fc.property(uuid, (v) => void expect(roundTrip(v, (w, x) => w.uuid(x), (r) => r.uuid())).toBe(v)));
  });

  it('strings, classic and compact, nullable or not', () => {
    const nullableText = fc.option(text, { nil: null });
    fc.assert(fc.property(text, (v) => void expect(roundTrip(v, (w, x) => w.string(x), (r) => r.string())).toBe(v)));
    fc.assert(fc.property(nullableText, (v) => void expect(roundTrip(v, (w, x) => w.nullableString(x), (r) => r.nullableString())).toBe(v)));
    fc.assert(fc.property(text, (v) => void expect(roundTrip(v, (w, x) => w.compactString(x), (r) => r.compactString())).toBe(v)));
    fc.assert(fc.property(nullableText, (v) => void expect(roundTrip(v, (w, x) => w.compactNullableString(x), (r) => r.compactNullableString())).toBe(v)));
  });

  it('bytes, classic and compact, nullable or not', () => {
    const nullableBuffer = fc.option(buffer, { nil: null });
    fc.assert(fc.property(buffer, (v) => void expect(roundTrip(v, (w, x) => w.bytes(x), (r) => r.bytes())).toEqual(v)));
    fc.assert(fc.property(nullableBuffer, (v) => void expect(roundTrip(v, (w, x) => w.nullableBytes(x), (r) => r.nullableBytes())).toEqual(v)));
    fc.assert(fc.property(buffer, (v) => void expect(roundTrip(v, (w, x) => w.compactBytes(x), (r) => r.compactBytes())).toEqual(v)));
    fc.assert(fc.property(nullableBuffer, (v) => void expect(roundTrip(v, (w, x) => w.compactNullableBytes(x), (r) => r.compactNullableBytes())).toEqual(v)));
  });

  it('arrays, classic and compact, nullable', () => {
    const items = fc.option(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 20 }), { nil: null });
    for (const compact of [false, true]) {
      fc.assert(
        fc.property(items, (v) => {
          const back = roundTrip(
            v,
            (w, x) => {
              if (compact) w.compactArrayLength(x === null ? null : x.length);
              else w.arrayLength(x === null ? null : x.length);
              for (const item of x ?? []) w.int32(item);
            },
            (r) => r.array((item) => item.int32(), { compact, nullable: true }),
          );
          expect(back).toEqual(v);
        }),
      );
    }
  });

  it('large byte strings are kept by reference and still come out in order', () => {
    const big = Buffer.alloc(20_000, 7);
    const writer = new ProtocolWriter(8);
    writer.int8(1);
    writer.nullableBytes([big, Buffer.from('ab', 'hex'), big]);
    writer.int8(2);
    const out = writer.toBuffer();
    expect(out.length).toBe(1 + 4 + 40_001 + 1);
    const r = new ProtocolReader(out);
    expect(r.int8()).toBe(1);
    expect(r.nullableBytes()).toEqual(Buffer.concat([big, Buffer.from('ab', 'hex'), big]));
    expect(r.int8()).toBe(2);
    expect(Buffer.concat(writer.toChunks())).toEqual(out);
  });
});

describe('exact bytes', () => {
  it('classic and compact strings', () => {
    expect(written((w) => w.string('abc'))).toBe('0003616263');
    expect(written((w) => w.nullableString(null))).toBe('ffff');
    expect(written((w) => w.string(''))).toBe('0000');
    expect(written((w) => w.compactString('abc'))).toBe('04616263');
    expect(written((w) => w.compactNullableString(null))).toBe('00');
    expect(written((w) => w.compactString(''))).toBe('01');
    // Length in bytes, not characters.
    expect(written((w) => w.compactString('é'))).toBe('03c3a9');
  });

  it('classic and compact bytes', () => {
    expect(written((w) => w.bytes(Buffer.from('cafe', 'hex')))).toBe('00000002cafe');
    expect(written((w) => w.nullableBytes(null))).toBe('ffffffff');
    expect(written((w) => w.compactBytes(Buffer.from('cafe', 'hex')))).toBe('03cafe');
    expect(written((w) => w.compactNullableBytes(null))).toBe('00');
  });

  it('classic and compact array counts', () => {
    expect(written((w) => w.arrayLength(2))).toBe('00000002');
    expect(written((w) => w.arrayLength(null))).toBe('ffffffff');
    expect(written((w) => w.compactArrayLength(0))).toBe('01');
    expect(written((w) => w.compactArrayLength(2))).toBe('03');
    expect(written((w) => w.compactArrayLength(null))).toBe('00');
  });

  it('unsigned varints', () => {
    expect(written((w) => w.uvarint(0))).toBe('00');
    expect(written((w) => w.uvarint(127))).toBe('7f');
    expect(written((w) => w.uvarint(128))).toBe('8001');
    expect(written((w) => w.uvarint(300))).toBe('ac02');
    expect(written((w) => w.uvarint(2 ** 31))).toBe('8080808008');
    expect(written((w) => w.uvarint(2 ** 32 - 1))).toBe('ffffffff0f');
  });

  it('zigzag varints and varlongs', () => {
    expect(written((w) => w.varint(0))).toBe('00');
    expect(written((w) => w.varint(-1))).toBe('01');
    expect(written((w) => w.varint(1))).toBe('02');
    expect(written((w) => w.varint(-64))).toBe('7f');
    expect(written((w) => w.varint(64))).toBe('8001');
    expect(written((w) => w.varint(-(2 ** 31)))).toBe('ffffffff0f');
    expect(written((w) => w.varlong(-1))).toBe('01');
    expect(written((w) => w.varlong(2 ** 40))).toBe('808080808040');
  });

  it('tag buffers: count, then tag, size and bytes per field in ascending tag order', () => {
    expect(written((w) => w.emptyTagBuffer())).toBe('00');
    expect(written((w) => w.tagBuffer([]))).toBe('00');
    expect(
      written((w) =>
        w.tagBuffer([
          { tag: 3, bytes: Buffer.from('aabb', 'hex') },
          { tag: 0, bytes: Buffer.from('01', 'hex') },
        ]),
      ),
    ).toBe('02' + '000101' + '0302aabb');
    expect(written((w) => w.tagBuffer([{ tag: 200, bytes: Buffer.alloc(0) }]))).toBe('01c80100');
  });

  it('uuids as raw 16 bytes, big-endian, from Kafka text form', () => {
    expect(written((w) => w.uuid('AAAAAAAAAAAAAAAAAAAAAQ'))).toBe('00000000000000000000000000000001');
    expect(reader('000102030405060708090a0b0c0d0e0f').uuid()).toBe('AAECAwQFBgcICQoLDA0ODw');
  });

  it('int64 sentinels and large values', () => {
    expect(written((w) => w.int64(-1))).toBe('ffffffffffffffff');
    expect(written((w) => w.int64(Number.MAX_SAFE_INTEGER))).toBe('001fffffffffffff');
    expect(reader('fffffffffffffffe').int64()).toBe(-2);
  });
});

describe('tag buffers when reading', () => {
  it('hands each tag to the caller with the reader limited to its bytes, and skips what it ignores', () => {
    const r = reader('03 00 04 0000002a 05 02 ffff 07 01 09  77');
    const seen: [number, number][] = [];
    r.tagBuffer((tag, size) => {
      seen.push([tag, size]);
      if (tag === 0) expect(r.int32()).toBe(42);
    });
    expect(seen).toEqual([
      [0, 4],
      [5, 2],
      [7, 1],
    ]);
    expect(r.int8()).toBe(0x77);
  });

  it('keeps raw tag bytes when asked', () => {
    const tags = reader('02 01 02 abcd 04 00').rawTagBuffer();
    expect([...tags.entries()].map(([tag, bytes]) => [tag, bytes.toString('hex')])).toEqual([
      [1, 'abcd'],
      [4, ''],
    ]);
  });

  it('stops a known tag that reads past its own size', () => {
    const r = reader('01 00 02 0001 ff ff');
    r.path.enter('Thing');
    expect(() => r.tagBuffer(() => r.int32('Value'))).toThrow('Test v0 Thing.Value: int32 at byte 3 runs past the end of tagged field 0 (bytes 3-5) in the 7-byte frame');
  });
});

describe('errors name the field and the byte', () => {
  it('a string that runs past the frame', () => {
    const r = reader('0000 012c 6162', 'MetadataRequest v1');
    r.path.enter('Topics');
    r.path.enter(0);
    r.int16('ErrorCode');
    expect(() => r.string('Name')).toThrow(new ProtocolError({ context: 'MetadataRequest v1', field: 'Topics[0].Name', position: 2 }, 'string of 300 bytes at byte 2 runs past the 6-byte frame'));
  });

  it('carries context, field, position and reason', () => {
    try {
      reader('00 01').int32('CorrelationId');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
      const e = error as ProtocolError;
      expect([e.context, e.field, e.position, e.reason]).toEqual(['Test v0', 'CorrelationId', 0, 'int32 at byte 0 runs past the 2-byte frame']);
      expect(e.message).toBe('Test v0 CorrelationId: int32 at byte 0 runs past the 2-byte frame');
    }
  });

  it('malformed lengths and varints', () => {
    expect(() => reader('fffe').nullableString('S')).toThrow('S: string at byte 0 has negative length -2');
    expect(() => reader('ffff').string('S')).toThrow('S: string at byte 0 is null, which this field does not allow');
    expect(() => reader('00').compactString('S')).toThrow('S: compact string at byte 0 is null');
    expect(() => reader('fffffffe').nullableBytes('B')).toThrow('B: bytes at byte 0 have negative length -2');
    expect(() => reader('ffffffffff01').uvarint('U')).toThrow('U: unsigned varint at byte 0 is longer than 5 bytes');
    expect(() => reader('ffffffff1f').uvarint('U')).toThrow('U: unsigned varint at byte 0 does not fit in 32 bits');
    expect(() => reader('80').uvarint('U')).toThrow('U: unsigned varint at byte 0 runs past the 1-byte frame');
    expect(() => reader('fffffffd').arrayLength('A')).toThrow('A: array at byte 0 has negative length -3');
    expect(() => reader('00000005 0102').arrayLength('A')).toThrow('A: array of 5 elements at byte 0 cannot fit in the 2 bytes left before the 6-byte frame');
    expect(() => reader('ff').bool()).not.toThrow();
  });

  it('values a writer refuses', () => {
    const w = new ProtocolWriter();
    w.context = 'ProduceResponse v8';
    w.path.enter('Responses');
    w.path.enter(1);
    expect(() => w.int16(40000, 'ErrorCode')).toThrow('ProduceResponse v8 Responses[1].ErrorCode: 40000 is not a valid int16');
    expect(() => w.int32(1.5)).toThrow('1.5 is not a valid int32');
    expect(() => w.int64(2 ** 60)).toThrow('is not a safe integer for an int64');
    expect(() => w.uuid('not-a-uuid')).toThrow('"not-a-uuid" is not a uuid');
    // 22 characters whose last one carries bits beyond the 16 bytes.
    expect(() => w.uuid('AAAAAAAAAAAAAAAAAAAAAB')).toThrow('is not a uuid');
    expect(() => w.string('x'.repeat(40000))).toThrow('a string of 40000 bytes does not fit an int16 length');
    expect(() => w.tagBuffer([{ tag: 1, bytes: Buffer.alloc(0) }, { tag: 1, bytes: Buffer.alloc(0) }])).toThrow('tag 1 appears twice');
  });
});
