import { LogFormatError } from '../errors';
import type { LogRecord, RecordHeader, TimestampType } from './log-record';
import { ByteCursor, VarintError } from './varint';

/** What record decoding needs to know about the batch around the records. */
export interface RecordContext {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly timestampType: TimestampType;
  readonly recordCount: number;
}

/** Turns a byte index inside the records payload into a location for an error message. */
export type PayloadLocator = (byte: number) => { file: string; position: number; inside?: string };

const textDecoder = new TextDecoder('utf-8', { fatal: false });
/** Shared by every record without headers (most of them), so reading headers allocates nothing. */
const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);

/**
 * A decoded record. Key, value and headers stay as positions into the batch bytes until read:
 * scans over millions of records validate every record's framing without allocating its parts.
 */
class V2Record implements LogRecord {
  constructor(
    readonly offset: number,
    readonly timestamp: number,
    readonly timestampType: TimestampType,
    private readonly buf: Buffer,
    private readonly keyStart: number,
    private readonly keyLength: number,
    private readonly valueStart: number,
    private readonly valueLength: number,
    private readonly headersStart: number,
    private readonly headerCount: number,
  ) {}

  get key(): Buffer | null {
    return this.keyLength < 0 ? null : this.buf.subarray(this.keyStart, this.keyStart + this.keyLength);
  }

  get value(): Buffer | null {
    return this.valueLength < 0 ? null : this.buf.subarray(this.valueStart, this.valueStart + this.valueLength);
  }

  get keySize(): number {
    return this.keyLength;
  }

  get valueSize(): number {
    return this.valueLength;
  }

  get headers(): readonly RecordHeader[] {
    if (this.headerCount === 0) return NO_HEADERS;
    // Framing was validated during decoding, so this walk cannot run out of bounds.
    const cursor = new ByteCursor(this.buf, this.headersStart, this.buf.length);
    const headers: RecordHeader[] = [];
    for (let i = 0; i < this.headerCount; i++) {
      const keyLength = cursor.readVarint();
      const key = textDecoder.decode(this.buf.subarray(cursor.pos, cursor.pos + keyLength));
      cursor.pos += keyLength;
      const valueLength = cursor.readVarint();
      const value = valueLength < 0 ? null : this.buf.subarray(cursor.pos, cursor.pos + valueLength);
      if (valueLength > 0) cursor.pos += valueLength;
      headers.push({ key, value });
    }
    return headers;
  }
}

class RecordFramingError extends Error {
  constructor(
    readonly byte: number,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * Decodes the records of a v2 batch from its (decompressed) payload, checking the framing rules:
 * each record consumes exactly its declared length, lengths stay inside the payload, the record
 * count matches, and nothing is left over.
 */
export function decodeRecords(payload: Buffer, batch: RecordContext, locate: PayloadLocator): LogRecord[] {
  const records: LogRecord[] = new Array(batch.recordCount);
  const cursor = new ByteCursor(payload, 0, payload.length);
  const logAppendTime = batch.timestampType === 'LogAppendTime';
  let previousOffset = -1;
  try {
    for (let i = 0; i < batch.recordCount; i++) {
      const recordPosition = cursor.pos;
      const length = cursor.readVarint();
      const bodyStart = cursor.pos;
      const recordEnd = bodyStart + length;
      if (length < 0 || recordEnd > payload.length) {
        throw new RecordFramingError(recordPosition, `record ${i} declares ${length} bytes but ${payload.length - bodyStart} remain`);
      }
      // Narrow the cursor to this record so no field can read past it; +1 skips the unused attributes byte.
      const framed = cursor;
      framed.pos = bodyStart + 1;
      framed.end = recordEnd;
      const timestampDelta = framed.readVarlong();
      const offsetDelta = framed.readVarint();
      const keyLength = framed.readVarint();
      const keyStart = framed.pos;
      skipBytes(framed, keyLength, 'key', i);
      const valueLength = framed.readVarint();
      const valueStart = framed.pos;
      skipBytes(framed, valueLength, 'value', i);
      const headerCount = framed.readVarint();
      if (headerCount < 0) throw new RecordFramingError(framed.pos, `record ${i} has a negative header count ${headerCount}`);
      const headersStart = framed.pos;
      for (let h = 0; h < headerCount; h++) {
        const headerKeyLength = framed.readVarint();
        if (headerKeyLength < 0) throw new RecordFramingError(framed.pos, `header ${h} of record ${i} has a null key`);
        skipBytes(framed, headerKeyLength, 'header key', i);
        skipBytes(framed, framed.readVarint(), 'header value', i);
      }
      if (framed.pos !== recordEnd) {
        throw new RecordFramingError(recordPosition, `record ${i} declares ${length} bytes but its fields take ${framed.pos - bodyStart}`);
      }
      const offset = batch.baseOffset + offsetDelta;
      if (offset <= previousOffset || offset > batch.lastOffset) {
        throw new RecordFramingError(recordPosition, `record ${i} has offset ${offset}, outside the batch's increasing range ${batch.baseOffset}-${batch.lastOffset}`);
      }
      previousOffset = offset;
      const timestamp = logAppendTime ? batch.maxTimestamp : batch.baseTimestamp + timestampDelta;
      records[i] = new V2Record(offset, timestamp, batch.timestampType, payload, keyStart, keyLength, valueStart, valueLength, headersStart, headerCount);
      cursor.pos = recordEnd;
      cursor.end = payload.length;
    }
  } catch (error) {
    if (error instanceof RecordFramingError || error instanceof VarintError) {
      const byte = error instanceof RecordFramingError ? error.byte : error.position;
      throw at(locate(byte), `${error.message} (batch at offset ${batch.baseOffset})`);
    }
    throw error;
  }
  if (cursor.pos !== payload.length) {
    throw at(locate(cursor.pos), `${payload.length - cursor.pos} bytes left over after the batch's ${batch.recordCount} records (batch at offset ${batch.baseOffset})`);
  }
  return records;
}

function skipBytes(cursor: ByteCursor, length: number, what: string, record: number): void {
  if (length < -1) throw new RecordFramingError(cursor.pos, `record ${record} has an impossible ${what} length ${length}`);
  if (length > 0) {
    if (cursor.pos + length > cursor.end) {
      throw new RecordFramingError(cursor.pos, `record ${record}'s ${what} of ${length} bytes runs past the end of the record`);
    }
    cursor.pos += length;
  }
}

function at(where: { file: string; position: number; inside?: string }, reason: string): LogFormatError {
  return new LogFormatError(where, where.inside ? `inside the ${where.inside}: ${reason}` : reason);
}
