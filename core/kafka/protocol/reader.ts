import { readInt64 } from '../../log/batch/int64';
import { FieldPath } from './field-path';
import { ProtocolError } from './protocol-error';

/**
 * A bounds-checked cursor over one Kafka protocol frame (the bytes after the int32 size prefix).
 * Every read checks its length against the end of the frame, or of the tagged field being read,
 * before touching a byte, and a claimed length or count is checked against the bytes that remain
 * before anything is allocated for it: a hostile size cannot make the reader allocate or loop.
 * Failures throw ProtocolError naming `context`, the field path and the byte offset.
 *
 * Bytes and records come back as views into the frame (no copy): keep the frame alive, and do not
 * reuse its memory, while they are in use.
 */
export class ProtocolReader {
  position: number;
  /** What is being read ("MetadataRequest v9"), for error messages. */
  context: string;
  /** The field path the schema walker is in; primitive reads append their own field name. */
  readonly path = new FieldPath();
  private end: number;
  /** While a tagged field is read, its bytes are the limit, and errors say so. */
  private tagWindow: { readonly tag: number; readonly start: number } | null = null;

  constructor(
    readonly buffer: Buffer,
    options: { context?: string; position?: number } = {},
  ) {
    this.position = options.position ?? 0;
    this.context = options.context ?? '';
    this.end = buffer.length;
  }

  get remaining(): number {
    return this.end - this.position;
  }

  fail(reason: string, field?: string, position: number = this.position): never {
    throw new ProtocolError({ context: this.context, field: this.path.format(field), position }, reason);
  }

  private limitDescription(): string {
    if (this.tagWindow === null) return `the ${this.buffer.length}-byte frame`;
    const { tag, start } = this.tagWindow;
    return `the end of tagged field ${tag} (bytes ${start}-${this.end}) in the ${this.buffer.length}-byte frame`;
  }

  /** `size` bytes must remain after `at`; `what` describes them for the error. */
  private need(size: number, what: string, field: string | undefined, at: number = this.position): void {
    if (size > this.end - at) this.fail(`${what} at byte ${at} runs past ${this.limitDescription()}`, field, at);
  }

  // --- fixed-width integers, big-endian ---

  int8(field?: string): number {
    this.need(1, 'int8', field);
    return this.buffer.readInt8(this.position++);
  }

  int16(field?: string): number {
    this.need(2, 'int16', field);
    const value = this.buffer.readInt16BE(this.position);
    this.position += 2;
    return value;
  }

  uint16(field?: string): number {
    this.need(2, 'uint16', field);
    const value = this.buffer.readUInt16BE(this.position);
    this.position += 2;
    return value;
  }

  int32(field?: string): number {
    this.need(4, 'int32', field);
    const value = this.buffer.readInt32BE(this.position);
    this.position += 4;
    return value;
  }

  uint32(field?: string): number {
    this.need(4, 'uint32', field);
    const value = this.buffer.readUInt32BE(this.position);
    this.position += 4;
    return value;
  }

  /**
   * A JS number: offsets, timestamps and producer ids stay far below 2^53, and the -1 sentinels
   * are exact. A value beyond 2^53 can only be garbage; it is rounded rather than refused, as the
   * log reader does (core/log/batch/int64.ts).
   */
  int64(field?: string): number {
    this.need(8, 'int64', field);
    const value = readInt64(this.buffer, this.position);
    this.position += 8;
    return value;
  }

  float64(field?: string): number {
    this.need(8, 'float64', field);
    const value = this.buffer.readDoubleBE(this.position);
    this.position += 8;
    return value;
  }

  /** Kafka reads any non-zero byte as true. */
  bool(field?: string): boolean {
    this.need(1, 'bool', field);
    return this.buffer[this.position++] !== 0;
  }

  /** 16 raw bytes, returned as Kafka prints a Uuid: 22 characters of unpadded base64url. */
  uuid(field?: string): string {
    this.need(16, 'uuid', field);
    const value = this.buffer.toString('base64url', this.position, this.position + 16);
    this.position += 16;
    return value;
  }

  // --- variable-length integers ---

  /** Unsigned LEB128 of at most 32 bits (5 bytes), as flexible versions use for lengths and tags. */
  uvarint(field?: string, what = 'unsigned varint'): number {
    const start = this.position;
    let value = 0;
    for (let i = 0; i < 5; i++) {
      if (this.position >= this.end) this.fail(`${what} at byte ${start} runs past ${this.limitDescription()}`, field, start);
      const byte = this.buffer[this.position++] as number;
      value += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffff) this.fail(`${what} at byte ${start} does not fit in 32 bits`, field, start);
        return value;
      }
    }
    return this.fail(`${what} at byte ${start} is longer than 5 bytes`, field, start);
  }

  /** Zigzag signed varint of 32 bits, as inside record batches. */
  varint(field?: string): number {
    const raw = this.uvarint(field, 'varint');
    // Zigzag: the low bit is the sign. Arithmetic, not bit operators, so 2^31..2^32-1 stay exact.
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** Zigzag signed varint of 64 bits (at most 10 bytes), as a JS number (see int64). */
  varlong(field?: string): number {
    const start = this.position;
    let value = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.position >= this.end) this.fail(`varlong at byte ${start} runs past ${this.limitDescription()}`, field, start);
      const byte = this.buffer[this.position++] as number;
      value |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if ((byte & 0x80) === 0) {
        if (value > 0xffff_ffff_ffff_ffffn) this.fail(`varlong at byte ${start} does not fit in 64 bits`, field, start);
        return Number((value >> 1n) ^ -(value & 1n));
      }
    }
    return this.fail(`varlong at byte ${start} is longer than 10 bytes`, field, start);
  }

  // --- strings: classic (int16 length) and compact (uvarint length + 1) ---

  /** Classic non-nullable string. */
  string(field?: string): string {
    const start = this.position;
    const value = this.nullableString(field);
    if (value === null) this.fail(`string at byte ${start} is null, which this field does not allow`, field, start);
    return value;
  }

  /** Classic nullable string: int16 length, -1 for null. */
  nullableString(field?: string): string | null {
    const start = this.position;
    const length = this.int16(field);
    if (length === -1) return null;
    if (length < 0) this.fail(`string at byte ${start} has negative length ${length}`, field, start);
    return this.utf8(length, start, 'string', field);
  }

  compactString(field?: string): string {
    const start = this.position;
    const value = this.compactNullableString(field);
    if (value === null) this.fail(`compact string at byte ${start} is null, which this field does not allow`, field, start);
    return value;
  }

  /** Compact nullable string: uvarint length + 1, 0 for null. */
  compactNullableString(field?: string): string | null {
    const start = this.position;
    const lengthPlusOne = this.uvarint(field, 'compact string length');
    if (lengthPlusOne === 0) return null;
    return this.utf8(lengthPlusOne - 1, start, 'compact string', field);
  }

  private utf8(length: number, start: number, what: string, field: string | undefined): string {
    // The error names where the string starts (its length prefix), which is what a hex dump shows.
    if (length > this.end - this.position) {
      this.fail(`${what} of ${length} bytes at byte ${start} runs past ${this.limitDescription()}`, field, start);
    }
    const value = this.buffer.toString('utf8', this.position, this.position + length);
    this.position += length;
    return value;
  }

  // --- bytes: classic (int32 length) and compact (uvarint length + 1) ---

  bytes(field?: string): Buffer {
    const start = this.position;
    const value = this.nullableBytes(field);
    if (value === null) this.fail(`bytes at byte ${start} are null, which this field does not allow`, field, start);
    return value;
  }

  /** Classic nullable bytes (also records): int32 length, -1 for null. A view into the frame. */
  nullableBytes(field?: string): Buffer | null {
    const start = this.position;
    const length = this.int32(field);
    if (length === -1) return null;
    if (length < 0) this.fail(`bytes at byte ${start} have negative length ${length}`, field, start);
    return this.slice(length, start, 'byte string', field);
  }

  compactBytes(field?: string): Buffer {
    const start = this.position;
    const value = this.compactNullableBytes(field);
    if (value === null) this.fail(`compact bytes at byte ${start} are null, which this field does not allow`, field, start);
    return value;
  }

  compactNullableBytes(field?: string): Buffer | null {
    const start = this.position;
    const lengthPlusOne = this.uvarint(field, 'compact bytes length');
    if (lengthPlusOne === 0) return null;
    return this.slice(lengthPlusOne - 1, start, 'compact byte string', field);
  }

  private slice(length: number, start: number, what: string, field: string | undefined): Buffer {
    if (length > this.end - this.position) {
      this.fail(`${what} of ${length} bytes at byte ${start} runs past ${this.limitDescription()}`, field, start);
    }
    const value = this.buffer.subarray(this.position, this.position + length);
    this.position += length;
    return value;
  }

  /** `length` raw bytes, as a view. */
  raw(length: number, field?: string): Buffer {
    return this.slice(length, this.position, 'raw bytes', field);
  }

  // --- arrays: classic (int32 count, -1 null) and compact (uvarint count + 1, 0 null) ---

  /**
   * The element count of a classic array, or null. Every element of every array in the protocol
   * takes at least one byte, so a count above the remaining bytes is refused before anyone loops
   * or allocates for it (Kafka's own readers do the same).
   */
  arrayLength(field?: string): number | null {
    const start = this.position;
    const count = this.int32(field);
    if (count === -1) return null;
    if (count < 0) this.fail(`array at byte ${start} has negative length ${count}`, field, start);
    this.checkCount(count, start, 'array', field);
    return count;
  }

  compactArrayLength(field?: string): number | null {
    const start = this.position;
    const countPlusOne = this.uvarint(field, 'compact array length');
    if (countPlusOne === 0) return null;
    this.checkCount(countPlusOne - 1, start, 'compact array', field);
    return countPlusOne - 1;
  }

  private checkCount(count: number, start: number, what: string, field: string | undefined): void {
    if (count > this.remaining) {
      this.fail(`${what} of ${count} elements at byte ${start} cannot fit in the ${this.remaining} bytes left before ${this.limitDescription()}`, field, start);
    }
  }

  /** Reads a classic (or, with `compact`, a compact) array; null only when `nullable`. */
  array<T>(readItem: (reader: ProtocolReader, index: number) => T, options: { compact?: boolean; field?: string }): T[];
  array<T>(readItem: (reader: ProtocolReader, index: number) => T, options: { compact?: boolean; field?: string; nullable: true }): T[] | null;
  array<T>(readItem: (reader: ProtocolReader, index: number) => T, options: { compact?: boolean; field?: string; nullable?: boolean }): T[] | null {
    const start = this.position;
    const count = options.compact ? this.compactArrayLength(options.field) : this.arrayLength(options.field);
    if (count === null) {
      if (options.nullable) return null;
      this.fail(`array at byte ${start} is null, which this field does not allow`, options.field, start);
    }
    const items: T[] = [];
    if (options.field !== undefined) this.path.enter(options.field);
    for (let i = 0; i < count; i++) {
      this.path.enter(i);
      items.push(readItem(this, i));
      this.path.leave();
    }
    if (options.field !== undefined) this.path.leave();
    return items;
  }

  // --- tagged fields (flexible versions) ---

  /**
   * Reads a tag buffer: uvarint count, then per field uvarint tag, uvarint size and the bytes.
   * `readTag` is called for every field with the reader limited to that field's bytes; it reads
   * the tags it knows and ignores the rest. Either way the reader moves to the end of the field,
   * so an unknown (newer) tag is skipped, as the protocol requires.
   */
  tagBuffer(readTag: (tag: number, size: number) => void, field = 'tagged fields'): void {
    const start = this.position;
    const count = this.uvarint(field, 'tagged field count');
    // Each tagged field takes at least two bytes (tag and size).
    if (count * 2 > this.remaining) {
      this.fail(`${count} tagged fields at byte ${start} cannot fit in the ${this.remaining} bytes left before ${this.limitDescription()}`, field, start);
    }
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint(field, 'tag number');
      const size = this.uvarint(field, `size of tagged field ${tag}`);
      const fieldStart = this.position;
      this.need(size, `tagged field ${tag} of ${size} bytes`, field, fieldStart);
      const outerEnd = this.end;
      const outerWindow = this.tagWindow;
      this.end = fieldStart + size;
      this.tagWindow = { tag, start: fieldStart };
      try {
        readTag(tag, size);
      } finally {
        this.end = outerEnd;
        this.tagWindow = outerWindow;
      }
      this.position = fieldStart + size;
    }
  }

  /** A tag buffer as raw bytes per tag, for callers that keep fields they do not interpret. */
  rawTagBuffer(field?: string): Map<number, Buffer> {
    const tags = new Map<number, Buffer>();
    this.tagBuffer((tag, size) => {
      tags.set(tag, this.raw(size));
    }, field);
    return tags;
  }
}
