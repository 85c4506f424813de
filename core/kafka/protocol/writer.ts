import { writeInt64 } from '../../log/batch/int64';
import { FieldPath } from './field-path';
import { ProtocolError } from './protocol-error';

/** Byte strings at least this long are kept by reference instead of being copied into the buffer. */
const BY_REFERENCE = 8 * 1024;

const UUID_TEXT = /^[A-Za-z0-9_-]{22}$/;

/**
 * Writes the protocol's primitives into a growing buffer. Values are checked (integer ranges,
 * string lengths, uuid text), and a bad one throws ProtocolError naming `context` and the field
 * path: a wrong value is a bug on this side, and it should not reach a client as garbage bytes.
 *
 * Large byte strings (the record batches of a Fetch response) are kept by reference and joined
 * once at the end, so a response is copied once rather than once per doubling of the buffer. Such
 * buffers must not change until the output has been taken.
 */
export class ProtocolWriter {
  context = '';
  readonly path = new FieldPath();
  private buf: Buffer;
  private pos = 0;
  private readonly chunks: Buffer[] = [];
  private chunkedLength = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialSize));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.chunkedLength + this.pos;
  }

  fail(reason: string, field?: string): never {
    throw new ProtocolError({ context: this.context, field: this.path.format(field) }, reason);
  }

  private ensure(size: number): void {
    if (this.buf.length - this.pos >= size) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + size));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private integer(value: number, min: number, max: number, type: string, field: string | undefined): void {
    if (!Number.isInteger(value) || value < min || value > max) this.fail(`${value} is not a valid ${type}`, field);
  }

  // --- fixed-width integers, big-endian ---

  int8(value: number, field?: string): void {
    this.integer(value, -0x80, 0x7f, 'int8', field);
    this.ensure(1);
    this.pos = this.buf.writeInt8(value, this.pos);
  }

  int16(value: number, field?: string): void {
    this.integer(value, -0x8000, 0x7fff, 'int16', field);
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(value, this.pos);
  }

  uint16(value: number, field?: string): void {
    this.integer(value, 0, 0xffff, 'uint16', field);
    this.ensure(2);
    this.pos = this.buf.writeUInt16BE(value, this.pos);
  }

  int32(value: number, field?: string): void {
    this.integer(value, -0x8000_0000, 0x7fff_ffff, 'int32', field);
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(value, this.pos);
  }

  uint32(value: number, field?: string): void {
    this.integer(value, 0, 0xffff_ffff, 'uint32', field);
    this.ensure(4);
    this.pos = this.buf.writeUInt32BE(value, this.pos);
  }

  /** Only safe integers: a larger number has already lost its low bits, so writing it would lie. */
  int64(value: number, field?: string): void {
    if (!Number.isSafeInteger(value)) this.fail(`${value} is not a safe integer for an int64`, field);
    this.ensure(8);
    writeInt64(this.buf, value, this.pos);
    this.pos += 8;
  }

  float64(value: number, field?: string): void {
    if (typeof value !== 'number') this.fail(`${String(value)} is not a float64`, field);
    this.ensure(8);
    this.pos = this.buf.writeDoubleBE(value, this.pos);
  }

  bool(value: boolean, field?: string): void {
    if (typeof value !== 'boolean') this.fail(`${String(value)} is not a bool`, field);
    this.ensure(1);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  /** A Uuid in Kafka's text form: 22 characters of unpadded base64url for the 16 bytes. */
  uuid(value: string, field?: string): void {
    const bytes = typeof value === 'string' && UUID_TEXT.test(value) ? Buffer.from(value, 'base64url') : null;
    // The last character carries only 2 of the 16 bytes' bits; re-encoding rejects the ones that
    // would silently drop bits.
    if (bytes === null || bytes.length !== 16 || bytes.toString('base64url') !== value) {
      this.fail(`${JSON.stringify(value)} is not a uuid (22 characters of base64url)`, field);
    }
    this.ensure(16);
    this.pos += bytes.copy(this.buf, this.pos);
  }

  // --- variable-length integers ---

  uvarint(value: number, field?: string): void {
    this.integer(value, 0, 0xffff_ffff, 'unsigned varint', field);
    this.ensure(5);
    let rest = value;
    while (rest >= 0x80) {
      this.buf[this.pos++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buf[this.pos++] = rest;
  }

  varint(value: number, field?: string): void {
    this.integer(value, -0x8000_0000, 0x7fff_ffff, 'varint', field);
    this.uvarint(value >= 0 ? value * 2 : -value * 2 - 1, field);
  }

  varlong(value: number, field?: string): void {
    if (!Number.isSafeInteger(value)) this.fail(`${value} is not a safe integer for a varlong`, field);
    this.ensure(10);
    let rest = value >= 0 ? BigInt(value) << 1n : ((-BigInt(value)) << 1n) - 1n;
    while (rest >= 0x80n) {
      this.buf[this.pos++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.buf[this.pos++] = Number(rest);
  }

  // --- strings ---

  /** Classic string (int16 length); null only through nullableString. */
  string(value: string, field?: string): void {
    if (typeof value !== 'string') this.fail(`${String(value)} is not a string (the field is not nullable)`, field);
    this.nullableString(value, field);
  }

  nullableString(value: string | null, field?: string): void {
    if (value === null) return this.int16(-1, field);
    if (typeof value !== 'string') this.fail(`${String(value)} is not a string`, field);
    const length = Buffer.byteLength(value, 'utf8');
    if (length > 0x7fff) this.fail(`a string of ${length} bytes does not fit an int16 length`, field);
    this.int16(length, field);
    this.utf8(value, length);
  }

  compactString(value: string, field?: string): void {
    if (typeof value !== 'string') this.fail(`${String(value)} is not a string (the field is not nullable)`, field);
    this.compactNullableString(value, field);
  }

  compactNullableString(value: string | null, field?: string): void {
    if (value === null) return this.uvarint(0, field);
    if (typeof value !== 'string') this.fail(`${String(value)} is not a string`, field);
    const length = Buffer.byteLength(value, 'utf8');
    this.uvarint(length + 1, field);
    this.utf8(value, length);
  }

  private utf8(value: string, length: number): void {
    this.ensure(length);
    this.pos += this.buf.write(value, this.pos, length, 'utf8');
  }

  // --- bytes ---

  bytes(value: Buffer | readonly Buffer[], field?: string): void {
    if (value === null) this.fail('null is not allowed (the field is not nullable)', field);
    this.nullableBytes(value, field);
  }

  /** Classic nullable bytes (int32 length). A list of buffers is written as their concatenation. */
  nullableBytes(value: Buffer | readonly Buffer[] | null, field?: string): void {
    if (value === null) return this.int32(-1, field);
    const parts = this.parts(value, field);
    this.int32(totalLength(parts), field);
    for (const part of parts) this.raw(part);
  }

  compactBytes(value: Buffer | readonly Buffer[], field?: string): void {
    if (value === null) this.fail('null is not allowed (the field is not nullable)', field);
    this.compactNullableBytes(value, field);
  }

  compactNullableBytes(value: Buffer | readonly Buffer[] | null, field?: string): void {
    if (value === null) return this.uvarint(0, field);
    const parts = this.parts(value, field);
    this.uvarint(totalLength(parts) + 1, field);
    for (const part of parts) this.raw(part);
  }

  private parts(value: Buffer | readonly Buffer[], field: string | undefined): readonly Buffer[] {
    const parts = Buffer.isBuffer(value) ? [value] : value;
    if (!Array.isArray(parts) || !parts.every((part) => Buffer.isBuffer(part))) this.fail('expected bytes', field);
    return parts;
  }

  /** Appends bytes as they are; large ones by reference (see the class comment). */
  raw(bytes: Buffer): void {
    if (bytes.length >= BY_REFERENCE) {
      this.chunks.push(this.buf.subarray(0, this.pos), bytes);
      this.chunkedLength += this.pos + bytes.length;
      // The old buffer now belongs to the chunk list; continue in a fresh one.
      this.buf = Buffer.allocUnsafe(Math.min(Math.max(256, this.buf.length), 64 * 1024));
      this.pos = 0;
      return;
    }
    this.ensure(bytes.length);
    this.pos += bytes.copy(this.buf, this.pos);
  }

  // --- arrays and tag buffers ---

  /** Classic array count: int32, -1 for null. */
  arrayLength(count: number | null, field?: string): void {
    this.int32(count ?? -1, field);
  }

  /** Compact array count: uvarint count + 1, 0 for null. */
  compactArrayLength(count: number | null, field?: string): void {
    this.uvarint(count === null ? 0 : count + 1, field);
  }

  /** A tag buffer from already encoded fields, written in ascending tag order as the protocol requires. */
  tagBuffer(fields: readonly { readonly tag: number; readonly bytes: Buffer }[], field = 'tagged fields'): void {
    const sorted = [...fields].sort((a, b) => a.tag - b.tag);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]?.tag === sorted[i - 1]?.tag) this.fail(`tag ${sorted[i]?.tag} appears twice`, field);
    }
    this.uvarint(sorted.length, field);
    for (const { tag, bytes } of sorted) {
      this.uvarint(tag, field);
      this.uvarint(bytes.length, field);
      this.raw(bytes);
    }
  }

  /** An empty tag buffer: the common case, one zero byte. */
  emptyTagBuffer(): void {
    this.ensure(1);
    this.buf[this.pos++] = 0;
  }

  // --- output ---

  /** Everything written, as one buffer. The writer should not be used afterwards. */
  toBuffer(): Buffer {
    if (this.chunks.length === 0) return this.buf.subarray(0, this.pos);
    return Buffer.concat([...this.chunks, this.buf.subarray(0, this.pos)], this.length);
  }

  /** Everything written, as a list of buffers (for a vectored socket write, no final copy). */
  toChunks(): Buffer[] {
    return [...this.chunks, this.buf.subarray(0, this.pos)].filter((chunk) => chunk.length > 0);
  }
}

function totalLength(parts: readonly Buffer[]): number {
  let total = 0;
  for (const part of parts) total += part.length;
  return total;
}
