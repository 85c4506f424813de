/**
 * The variable-length integers inside v2 record batches: zigzag-encoded LEB128 (`varint` up to 5
 * bytes, `varlong` up to 10), and unsigned LEB128 (`uvarint`, used by flexible protocol versions).
 *
 * Decoding goes through a cursor so the hot loop of record decoding is a monomorphic method call
 * that V8 inlines; a malformed value throws VarintError and the caller adds file and byte context.
 */

export class VarintError extends Error {
  constructor(
    readonly position: number,
    reason: string,
  ) {
    super(reason);
    this.name = 'VarintError';
  }
}

export class ByteCursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  /** Unsigned LEB128 up to 35 bits of payload (5 bytes), as Kafka's readUnsignedVarint. */
  readUnsignedVarint(): number {
    const start = this.pos;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw new VarintError(start, 'varint runs past the end of its bytes');
      const byte = this.buf[this.pos++]!;
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
    throw new VarintError(start, 'varint is longer than 5 bytes');
  }

  readVarint(): number {
    // Fast path: most lengths and deltas inside a batch fit in one byte.
    if (this.pos < this.end) {
      const first = this.buf[this.pos]!;
      if ((first & 0x80) === 0) {
        this.pos++;
        return (first >>> 1) ^ -(first & 1);
      }
    }
    const raw = this.readUnsignedVarint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Zigzag varlong. Uses float arithmetic above 31 bits; values beyond 2^53 are refused. */
  readVarlong(): number {
    const start = this.pos;
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new VarintError(start, 'varlong runs past the end of its bytes');
      const byte = this.buf[this.pos++]!;
      result += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) {
        if (result > Number.MAX_SAFE_INTEGER) throw new VarintError(start, 'varlong is beyond 2^53');
        return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      }
      multiplier *= 128;
    }
    throw new VarintError(start, 'varlong is longer than 10 bytes');
  }
}

export function sizeOfUnsignedVarint(value: number): number {
  let v = value >>> 0;
  let bytes = 1;
  while (v >= 0x80) {
    v >>>= 7;
    bytes++;
  }
  return bytes;
}

export function zigzag32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

export function sizeOfVarint(value: number): number {
  return sizeOfUnsignedVarint(zigzag32(value));
}

function zigzag64(value: number): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer for a varlong`);
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

export function sizeOfVarlong(value: number): number {
  let v = zigzag64(value);
  let bytes = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    bytes++;
  }
  return bytes;
}

/** Writes an unsigned LEB128 value; returns the position after it. */
export function writeUnsignedVarint(buf: Buffer, value: number, position: number): number {
  let v = value >>> 0;
  let pos = position;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

export function writeVarint(buf: Buffer, value: number, position: number): number {
  return writeUnsignedVarint(buf, zigzag32(value), position);
}

export function writeVarlong(buf: Buffer, value: number, position: number): number {
  let v = zigzag64(value);
  let pos = position;
  while (v >= 128) {
    buf[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}
