/**
 * Test-only: the records of an uncompressed magic-2 `.log` file, so the group tests can read the
 * fixture logs before the real batch reader (core/log/batch) is ready. Replace with that reader
 * once it is; this one skips CRC checks, compression and legacy magics on purpose.
 */
import { readFileSync } from 'node:fs';

export interface FixtureRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export const FIXTURE_LOGS = '/work/shared/fixtures/kafka-logs';

const BATCH_HEADER_SIZE = 61;

class Cursor {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
  ) {}

  /** Zigzag varint or varlong. BigInt because a varlong may exceed 2^53 before unzigzagging. */
  varlong(): bigint {
    let raw = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error(`varint runs past the end at byte ${this.pos - 1}`);
      raw |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return (raw >> 1n) ^ -(raw & 1n);
    }
    throw new Error(`varint too long at byte ${this.pos}`);
  }

  varint(): number {
    return Number(this.varlong());
  }

  bytes(length: number): Buffer | null {
    if (length < 0) return null;
    const b = this.buf.subarray(this.pos, this.pos + length);
    if (b.length !== length) throw new Error(`${length} bytes at ${this.pos} run past the end`);
    this.pos += length;
    return b;
  }
}

export function readFixtureRecords(file: string): FixtureRecord[] {
  const buf = readFileSync(file);
  const records: FixtureRecord[] = [];
  let pos = 0;
  while (pos + 12 <= buf.length) {
    const baseOffset = Number(buf.readBigInt64BE(pos));
    const size = buf.readInt32BE(pos + 8) + 12;
    if (pos + size > buf.length) break;
    const magic = buf.readInt8(pos + 16);
    const attributes = buf.readInt16BE(pos + 21);
    if (magic !== 2) throw new Error(`${file}: magic ${magic} at byte ${pos + 16}; only v2 batches are supported here`);
    if ((attributes & 0x07) !== 0) throw new Error(`${file}: compressed batch at byte ${pos}; not supported here`);
    const isControl = (attributes & 0x20) !== 0;
    const baseTimestamp = Number(buf.readBigInt64BE(pos + 27));
    const count = buf.readInt32BE(pos + 57);
    const c = new Cursor(buf, pos + BATCH_HEADER_SIZE);
    for (let i = 0; i < count && !isControl; i++) {
      const length = c.varint();
      const end = c.pos + length;
      c.pos += 1; // attributes
      const timestampDelta = Number(c.varlong());
      const offsetDelta = c.varint();
      const key = c.bytes(c.varint());
      const value = c.bytes(c.varint());
      const headerCount = c.varint();
      for (let h = 0; h < headerCount; h++) {
        c.bytes(c.varint());
        c.bytes(c.varint());
      }
      if (c.pos !== end) throw new Error(`${file}: record at byte ${end - length} is not ${length} bytes long`);
      records.push({
        offset: baseOffset + offsetDelta,
        timestamp: baseTimestamp + timestampDelta,
        key: key && Buffer.from(key),
        value: value && Buffer.from(value),
      });
    }
    pos += size;
  }
  return records;
}
