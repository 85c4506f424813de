/**
 * A cursor over the big-endian structs of Kafka's generated message classes: the records of
 * `__consumer_offsets` and the consumer protocol inside them. It checks every read against the end
 * of the buffer, so malformed bytes become an error that names the field, the byte and the reason
 * instead of a RangeError or a silently wrong value.
 */

/** Builds the error a reader throws; each caller picks its own error class. */
export type StructErrorFactory = (field: string, position: number, reason: string) => Error;

export class StructReader {
  position = 0;

  constructor(
    private readonly bytes: Buffer,
    /** What the bytes are ("key", "value", "subscription"), for messages. */
    private readonly label: string,
    private readonly makeError: StructErrorFactory,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.position;
  }

  /** The leading int16 version of a record key or value, refused unless within 0..max. */
  version(struct: string, max: number): number {
    const version = this.int16(`${struct}.version`);
    if (version < 0 || version > max) this.fail(`${struct}.version`, 0, `unknown ${struct} version ${version} at byte 0 (known: 0-${max})`);
    return version;
  }

  fail(field: string, position: number, reason: string): never {
    throw this.makeError(field, position, reason);
  }

  private pastEnd(field: string, what: string, at: number): never {
    return this.fail(field, at, `${what} at byte ${at} runs past the end of the ${this.bytes.length}-byte ${this.label}`);
  }

  private need(field: string, what: string, size: number): void {
    if (this.position + size > this.bytes.length) this.pastEnd(field, what, this.position);
  }

  int16(field: string): number {
    this.need(field, 'int16', 2);
    const v = this.bytes.readInt16BE(this.position);
    this.position += 2;
    return v;
  }

  int32(field: string): number {
    this.need(field, 'int32', 4);
    const v = this.bytes.readInt32BE(this.position);
    this.position += 4;
    return v;
  }

  /**
   * A JS number, exact up to 2^53. Offsets and millisecond timestamps stay far below that; a larger
   * value can only come from corrupt bytes, and rounding it is better than failing the record.
   */
  int64(field: string): number {
    this.need(field, 'int64', 8);
    const hi = this.bytes.readInt32BE(this.position);
    const lo = this.bytes.readUInt32BE(this.position + 4);
    this.position += 8;
    return hi * 2 ** 32 + lo;
  }

  /** Kafka's 32-bit unsigned varint (at most 5 bytes), as used by flexible versions. */
  uvarint(field: string): number {
    const start = this.position;
    let value = 0;
    for (let i = 0; i < 5; i++) {
      if (this.position >= this.bytes.length) this.pastEnd(field, 'unsigned varint', start);
      const b = this.bytes[this.position++] as number;
      value += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) {
        if (value > 0xffffffff) this.fail(field, start, `unsigned varint at byte ${start} does not fit in 32 bits`);
        return value;
      }
    }
    return this.fail(field, start, `unsigned varint at byte ${start} is longer than 5 bytes`);
  }

  /** Classic string: int16 length, -1 for null. */
  string(field: string): string;
  string(field: string, nullable: true): string | null;
  string(field: string, nullable = false): string | null {
    const at = this.position;
    const length = this.int16(field);
    return this.stringBody(field, at, length, nullable);
  }

  /** Compact string of flexible versions: unsigned varint length + 1, 0 for null. */
  compactString(field: string): string;
  compactString(field: string, nullable: true): string | null;
  compactString(field: string, nullable = false): string | null {
    const at = this.position;
    const length = this.uvarint(field) - 1;
    return this.stringBody(field, at, length, nullable);
  }

  private stringBody(field: string, at: number, length: number, nullable: boolean): string | null {
    const body = this.body(field, 'string', at, length, nullable);
    // Java decodes malformed UTF-8 with replacement characters too, so this matches what Kafka shows.
    return body === null ? null : body.toString('utf8');
  }

  /** Classic bytes: int32 length, -1 for null. Copied, so holding it does not pin the whole input. */
  bytesField(field: string): Buffer;
  bytesField(field: string, nullable: true): Buffer | null;
  bytesField(field: string, nullable = false): Buffer | null {
    const at = this.position;
    const length = this.int32(field);
    const body = this.body(field, 'bytes', at, length, nullable);
    return body === null ? null : Buffer.from(body);
  }

  /** Compact bytes of flexible versions: unsigned varint length + 1, 0 for null. */
  compactBytes(field: string): Buffer;
  compactBytes(field: string, nullable: true): Buffer | null;
  compactBytes(field: string, nullable = false): Buffer | null {
    const at = this.position;
    const length = this.uvarint(field) - 1;
    const body = this.body(field, 'bytes', at, length, nullable);
    return body === null ? null : Buffer.from(body);
  }

  private body(field: string, kind: string, at: number, length: number, nullable: boolean): Buffer | null {
    if (length === -1) {
      if (nullable) return null;
      this.fail(field, at, `${kind} at byte ${at} is null but the field is not nullable`);
    }
    if (length < -1) this.fail(field, at, `${kind} length ${length} at byte ${at} is negative`);
    if (this.position + length > this.bytes.length) this.pastEnd(field, `${kind} length ${length}`, at);
    const body = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return body;
  }

  /**
   * Classic array count: int32, -1 for null. `minElementSize` lets a garbage count fail at once
   * with a clear message instead of after reading as many elements as the bytes allow.
   */
  arrayCount(field: string, minElementSize: number): number {
    const at = this.position;
    const count = this.int32(field);
    return this.checkCount(field, at, count, minElementSize);
  }

  /** Compact array count of flexible versions: unsigned varint count + 1, 0 for null. */
  compactArrayCount(field: string, minElementSize: number): number {
    const at = this.position;
    const count = this.uvarint(field) - 1;
    return this.checkCount(field, at, count, minElementSize);
  }

  private checkCount(field: string, at: number, count: number, minElementSize: number): number {
    // No array in these schemas is nullable.
    if (count === -1) this.fail(field, at, `array at byte ${at} is null but the field is not nullable`);
    if (count < -1) this.fail(field, at, `array count ${count} at byte ${at} is negative`);
    if (count * minElementSize > this.remaining) {
      this.fail(
        field,
        at,
        `array count ${count} at byte ${at} needs at least ${count * minElementSize} bytes but the ` +
          `${this.bytes.length}-byte ${this.label} has ${this.remaining} left`,
      );
    }
    return count;
  }

  /**
   * Skips a tagged-field buffer. Tagged fields are optional by definition, so a reader that does not
   * know one may drop it; only their framing has to be sound.
   */
  skipTaggedFields(field: string): void {
    const count = this.uvarint(`${field} (tag count)`);
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint(`${field} (tag)`);
      const at = this.position;
      const size = this.uvarint(`${field} (tag ${tag} size)`);
      if (this.position + size > this.bytes.length) this.pastEnd(field, `tagged field ${tag} of ${size} bytes`, at);
      this.position += size;
    }
  }

  /** Every byte belongs to a known field of a known version; leftovers mean the bytes are not what they claim. */
  expectEnd(struct: string): void {
    if (this.position !== this.bytes.length) {
      this.fail(
        struct,
        this.position,
        `${this.remaining} unread ${this.remaining === 1 ? 'byte' : 'bytes'} from byte ${this.position} to the end of the ${this.bytes.length}-byte ${this.label}`,
      );
    }
  }
}
