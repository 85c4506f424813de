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
  /** `end` is mutable so one cursor can be narrowed to each record in turn without allocating. */
  constructor(
    readonly buf: Buffer,
    public pos: number,
    public end: number,
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
    // Fast paths: lengths and deltas inside a batch almost always fit in one or two bytes.
    const pos = this.pos;
    if (pos + 1 < this.end) {
      const first = this.buf[pos]!;
      if ((first & 0x80) === 0) {
        this.pos = pos + 1;
        return (first >>> 1) ^ -(first & 1);
      }
      const second = this.buf[pos + 1]!;
      if ((second & 0x80) === 0) {
        this.pos = pos + 2;
        const raw = (first & 0x7f) | (second << 7);
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    const raw = this.readUnsignedVarint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /**
   * Zigzag varlong. Float arithmetic is exact while the zigzag value stays below 2^53 (safe integers
   * up to 2^52 in magnitude); beyond that BigInt keeps the low bit. Values past 2^53 are refused.
   */
  readVarlong(): number {
    const start = this.pos;
    if (start < this.end) {
      const first = this.buf[start]!;
      if ((first & 0x80) === 0) {
        this.pos = start + 1;
        return (first >>> 1) ^ -(first & 1);
      }
    }
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new VarintError(start, 'varlong runs past the end of its bytes');
      const byte = this.buf[this.pos++]!;
      result += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) {
        if (result <= Number.MAX_SAFE_INTEGER) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
        return this.readWideVarlong(start);
      }
      multiplier *= 128;
    }
    throw new VarintError(start, 'varlong is longer than 10 bytes');
  }

  private readWideVarlong(start: number): number {
    let raw = 0n;
    let shift = 0n;
    for (let pos = start; pos < this.pos; pos++, shift += 7n) raw |= BigInt(this.buf[pos]! & 0x7f) << shift;
    const value = raw & 1n ? -((raw + 1n) >> 1n) : raw >> 1n;
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new VarintError(start, 'varlong is beyond 2^53');
    }
    return Number(value);
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

/** Zigzag of a safe integer as a BigInt: beyond 2^52 in magnitude it no longer fits a double exactly. */
function zigzag64(value: number): bigint {
  const v = BigInt(value);
  return v >= 0n ? v << 1n : (-v << 1n) - 1n;
}

const FLOAT_EXACT_LIMIT = 2 ** 52;

function assertSafe(value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer for a varlong`);
}

export function sizeOfVarlong(value: number): number {
  assertSafe(value);
  if (Math.abs(value) < FLOAT_EXACT_LIMIT) {
    let v = value >= 0 ? value * 2 : -value * 2 - 1;
    let bytes = 1;
    while (v >= 128) {
      v = Math.floor(v / 128);
      bytes++;
    }
    return bytes;
  }
  let v = zigzag64(value);
  let bytes = 1;
  while (v >= 128n) {
    v >>= 7n;
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
  assertSafe(value);
  let pos = position;
  if (Math.abs(value) < FLOAT_EXACT_LIMIT) {
    let v = value >= 0 ? value * 2 : -value * 2 - 1;
    while (v >= 128) {
      buf[pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[pos++] = v;
    return pos;
  }
  let v = zigzag64(value);
  while (v >= 128n) {
    buf[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buf[pos++] = Number(v);
  return pos;
}
