/**
 * Builds the big-endian structs of Kafka's generated message classes: the records of
 * `__consumer_offsets` and the consumer protocol inside them. The mirror of StructReader.
 */

const MAX_INT16 = 0x7fff;

export class StructWriter {
  private readonly parts: Buffer[] = [];

  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.raw(b);
  }

  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.raw(b);
  }

  /** Offsets and millisecond timestamps are safe integers; anything else is a caller bug. */
  int64(v: number): this {
    if (!Number.isSafeInteger(v)) throw new RangeError(`int64 field must be a safe integer, got ${v}`);
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v));
    return this.raw(b);
  }

  /** Kafka's unsigned varint, as flexible versions use for lengths and tags. */
  uvarint(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`unsigned varint out of range: ${v}`);
    const out: number[] = [];
    let n = v;
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
    return this.raw(Buffer.from(out));
  }

  /** Classic string: int16 length, -1 for null. */
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const b = Buffer.from(s, 'utf8');
    // Java would fail the whole write; failing here names the value instead of corrupting the length.
    if (b.length > MAX_INT16) throw new RangeError(`string of ${b.length} bytes does not fit an int16 length`);
    return this.int16(b.length).raw(b);
  }

  compactString(s: string | null): this {
    if (s === null) return this.uvarint(0);
    const b = Buffer.from(s, 'utf8');
    return this.uvarint(b.length + 1).raw(b);
  }

  /** Classic bytes: int32 length, -1 for null. */
  bytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1);
    return this.int32(b.length).raw(b);
  }

  compactBytes(b: Buffer | null): this {
    if (b === null) return this.uvarint(0);
    return this.uvarint(b.length + 1).raw(b);
  }

  /** An empty tagged-field buffer: this writer never has tagged fields to send. */
  emptyTags(): this {
    return this.uvarint(0);
  }

  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }

  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}
