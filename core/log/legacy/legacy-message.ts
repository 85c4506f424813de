/**
 * Read-only decoding of legacy Kafka messages (magic 0 and 1), which old logs may still hold after
 * a format upgrade. Reference: kafka-format.md section 2.5.
 */
import { crc32 } from '@node-rs/crc32';
import type { LogBatch, LogRecord, TimestampType } from '../batch/log-record';
import { CompressionCodec, codecName, isKnownCodec } from '../compression/compression-codec';
import { decompress } from '../compression/compression';
import { LogFormatError } from '../errors';

/** Byte layout of a legacy entry, from the start of its offset field. */
export const LegacyField = {
  offset: 0,
  messageSize: 8,
  crc: 12,
  magic: 16,
  attributes: 17,
  /** Only in magic 1; in magic 0 the key length sits here. */
  timestamp: 18,
} as const;

/** The offset and messageSize fields, which messageSize does not count. */
export const LEGACY_LOG_OVERHEAD = 12;
/** Smallest messageSize per magic: crc, magic, attributes, [timestamp,] key and value lengths. */
export const LEGACY_MIN_MESSAGE_SIZE = { 0: 14, 1: 22 } as const;

const CODEC_MASK = 0x07;
const TIMESTAMP_TYPE_LOG_APPEND = 0x08;

/** Throws a LogFormatError for a problem at byte `at` of the buffer being parsed. */
type Fail = (at: number, reason: string) => never;

interface LegacyEntry {
  /** Where the entry starts in the buffer it was parsed from. */
  readonly start: number;
  readonly end: number;
  readonly offset: number;
  readonly magic: 0 | 1;
  readonly codec: CompressionCodec;
  readonly logAppendTime: boolean;
  /** -1 for magic 0. */
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Buffer position of the value length field. */
  readonly valueLengthAt: number;
}

/**
 * Decodes the legacy entry at the start of `buffer` (which holds that one entry, from its offset
 * field; any bytes after it are ignored). `position` is where the entry sits in `file`, so errors
 * can name the byte a user would look at with a hex editor.
 *
 * The fields every reader needs are validated now; a compressed wrapper is decompressed only when
 * its records, record count or base offset are asked for.
 */
export function readLegacyMessage(buffer: Buffer, position: number, file: string): LogBatch {
  const fail: Fail = (at, reason) => {
    throw new LogFormatError({ file, position: position + at }, reason);
  };
  const entry = parseEntry(buffer, 0, fail);
  if (entry.codec !== CompressionCodec.None && entry.value === null) {
    fail(entry.valueLengthAt, `a ${codecName(entry.codec)} wrapper message must have a value, but it is null`);
  }
  return new LegacyMessage(buffer.subarray(0, entry.end), position, file, entry);
}

class LegacyMessage implements LogBatch {
  readonly magic: 0 | 1;
  readonly position: number;
  readonly sizeInBytes: number;
  readonly lastOffset: number;
  readonly partitionLeaderEpoch = -1;
  readonly maxTimestamp: number;
  readonly timestampType: TimestampType;
  readonly compression: CompressionCodec;
  readonly isTransactional = false;
  readonly isControl = false;
  readonly producerId = -1;
  readonly producerEpoch = -1;
  readonly baseSequence = -1;

  readonly #bytes: Buffer;
  readonly #file: string;
  readonly #entry: LegacyEntry;
  #inner: readonly LogRecord[] | undefined;

  constructor(bytes: Buffer, position: number, file: string, entry: LegacyEntry) {
    this.#bytes = bytes;
    this.#file = file;
    this.#entry = entry;
    this.magic = entry.magic;
    this.position = position;
    this.sizeInBytes = entry.end;
    this.lastOffset = entry.offset;
    this.maxTimestamp = entry.timestamp;
    this.timestampType = timestampTypeOf(entry);
    this.compression = entry.codec;
  }

  get baseOffset(): number {
    if (this.compression === CompressionCodec.None) return this.lastOffset;
    // decodeInner never returns an empty list.
    return (this.#decodeInner()[0] as LogRecord).offset;
  }

  get recordCount(): number {
    return this.compression === CompressionCodec.None ? 1 : this.#decodeInner().length;
  }

  verifyChecksum(): void {
    // Only the wrapper's CRC: it covers the compressed bytes, so the inner messages are already
    // protected, and checking theirs would force every wrapper to be decompressed during a scan.
    const stored = this.#bytes.readUInt32BE(LegacyField.crc);
    const computed = crc32(this.#bytes.subarray(LegacyField.magic)) >>> 0;
    if (stored !== computed) {
      throw new LogFormatError(
        { file: this.#file, position: this.position + LegacyField.crc },
        `CRC-32 mismatch: stored 0x${hex32(stored)}, computed 0x${hex32(computed)}`,
      );
    }
  }

  records(): LogRecord[] {
    const entry = this.#entry;
    if (entry.codec !== CompressionCodec.None) return [...this.#decodeInner()];
    return [
      {
        offset: entry.offset,
        timestamp: entry.timestamp,
        timestampType: this.timestampType,
        key: entry.key,
        value: entry.value,
        headers: [],
      },
    ];
  }

  #decodeInner(): readonly LogRecord[] {
    if (this.#inner === undefined) this.#inner = this.#readInnerSet();
    return this.#inner;
  }

  #readInnerSet(): LogRecord[] {
    const wrapper = this.#entry;
    const name = codecName(wrapper.codec);
    const payload = decompress(
      wrapper.codec,
      wrapper.value ?? Buffer.alloc(0),
      { file: this.#file, position: this.position + wrapper.valueLengthAt + 4 },
      // KAFKA-3160: magic 0 writers computed the LZ4 frame header checksum over the wrong bytes.
      wrapper.codec === CompressionCodec.Lz4 && wrapper.magic === 0 ? { legacyLz4: true } : undefined,
    );
    const wrapperError = (reason: string): LogFormatError =>
      new LogFormatError({ file: this.#file, position: this.position }, reason);
    const fail: Fail = (at, reason) => {
      throw wrapperError(`inside the ${name} payload at inner byte ${at}: ${reason}`);
    };

    const inner: LegacyEntry[] = [];
    for (let at = 0; at < payload.length; ) {
      const entry = parseEntry(payload, at, fail);
      if (entry.magic !== wrapper.magic) {
        fail(at + LegacyField.magic, `inner message has magic ${entry.magic} but its wrapper has magic ${wrapper.magic}`);
      }
      if (entry.codec !== CompressionCodec.None) {
        fail(at + LegacyField.attributes, `inner message is itself compressed (${codecName(entry.codec)}), which Kafka never writes`);
      }
      const previous = inner.at(-1);
      if (previous !== undefined && entry.offset <= previous.offset) {
        fail(at, `inner offset ${entry.offset} does not follow the previous inner offset ${previous.offset}`);
      }
      inner.push(entry);
      at = entry.end;
    }
    const last = inner.at(-1);
    if (last === undefined) throw wrapperError(`the ${name} payload holds no messages`);

    // Magic 1 inner offsets are relative and the wrapper holds the absolute offset of the last
    // one; magic 0 inner offsets are already absolute.
    const shift = wrapper.magic === 1 ? wrapper.offset - last.offset : 0;
    if (shift + (inner[0] as LegacyEntry).offset < 0) {
      throw wrapperError(
        `wrapper offset ${wrapper.offset} is smaller than the last inner relative offset ${last.offset}`,
      );
    }
    // The broker stamps LogAppendTime on the wrapper only and leaves the inner messages as the
    // producer wrote them, so the wrapper's timestamp is the one that counts.
    const useWrapperTime = wrapper.magic === 1 && wrapper.logAppendTime;
    const timestampType = timestampTypeOf(wrapper);
    return inner.map((entry) => ({
      offset: shift + entry.offset,
      timestamp: useWrapperTime ? wrapper.timestamp : entry.timestamp,
      timestampType,
      key: entry.key,
      value: entry.value,
      headers: [],
    }));
  }
}

/** Parses and validates the entry starting at `start`, without checking its CRC. */
function parseEntry(buf: Buffer, start: number, fail: Fail): LegacyEntry {
  const available = buf.length - start;
  if (available < LEGACY_LOG_OVERHEAD) {
    fail(start, `truncated entry: ${available} bytes, but the offset and messageSize fields alone need ${LEGACY_LOG_OVERHEAD}`);
  }
  const offset = readInt64(buf, start + LegacyField.offset);
  if (!Number.isSafeInteger(offset) || offset < 0) {
    fail(start + LegacyField.offset, `offset ${offset} is not a non-negative integer below 2^53`);
  }
  const messageSize = buf.readInt32BE(start + LegacyField.messageSize);
  if (messageSize < LEGACY_MIN_MESSAGE_SIZE[0]) {
    fail(start + LegacyField.messageSize, `messageSize ${messageSize} is below the minimum ${LEGACY_MIN_MESSAGE_SIZE[0]}`);
  }
  if (messageSize > available - LEGACY_LOG_OVERHEAD) {
    fail(
      start + LegacyField.messageSize,
      `truncated entry: messageSize ${messageSize} but only ${available - LEGACY_LOG_OVERHEAD} bytes follow`,
    );
  }
  const end = start + LEGACY_LOG_OVERHEAD + messageSize;

  const magic = buf.readInt8(start + LegacyField.magic);
  if (magic !== 0 && magic !== 1) {
    fail(start + LegacyField.magic, `magic ${magic} is not a legacy message format (0 or 1)`);
  }
  if (messageSize < LEGACY_MIN_MESSAGE_SIZE[magic]) {
    fail(
      start + LegacyField.messageSize,
      `messageSize ${messageSize} is below the minimum ${LEGACY_MIN_MESSAGE_SIZE[magic]} for magic ${magic}`,
    );
  }

  const attributes = buf.readInt8(start + LegacyField.attributes);
  const codec = attributes & CODEC_MASK;
  if (!isKnownCodec(codec)) {
    fail(start + LegacyField.attributes, `unknown compression codec ${codec} in attributes 0x${hex8(attributes)}`);
  }

  let timestamp = -1;
  let at = start + LegacyField.timestamp;
  if (magic === 1) {
    timestamp = readInt64(buf, at);
    if (!Number.isSafeInteger(timestamp)) fail(at, `timestamp ${timestamp} does not fit in 2^53`);
    at += 8;
  }

  const keyLengthAt = at;
  const key = readBytes(buf, keyLengthAt, end, 'key', fail);
  const valueLengthAt = keyLengthAt + 4 + (key?.length ?? 0);
  const value = readBytes(buf, valueLengthAt, end, 'value', fail);
  const valueEnd = valueLengthAt + 4 + (value?.length ?? 0);
  if (valueEnd !== end) {
    fail(valueEnd, `${end - valueEnd} unexpected bytes after the value, before the end of the message`);
  }

  return {
    start,
    end,
    offset,
    magic,
    codec,
    logAppendTime: (attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0,
    timestamp,
    key,
    value,
    valueLengthAt,
  };
}

/** Reads an i32-length-prefixed byte field that must end by `end`; -1 means null. */
function readBytes(buf: Buffer, lengthAt: number, end: number, what: string, fail: Fail): Buffer | null {
  if (lengthAt + 4 > end) {
    fail(lengthAt, `${what} length field runs past the end of the message at byte ${end}`);
  }
  const length = buf.readInt32BE(lengthAt);
  if (length === -1) return null;
  if (length < 0) fail(lengthAt, `${what} length ${length} is negative (only -1, for null, is allowed)`);
  const dataAt = lengthAt + 4;
  if (length > end - dataAt) {
    fail(lengthAt, `${what} length ${length} runs past the end of the message (${end - dataAt} bytes left)`);
  }
  return buf.subarray(dataAt, dataAt + length);
}

function timestampTypeOf(entry: LegacyEntry): TimestampType {
  if (entry.magic === 0) return 'NoTimestampType';
  return entry.logAppendTime ? 'LogAppendTime' : 'CreateTime';
}

function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 0x1_0000_0000 + buf.readUInt32BE(at + 4);
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function hex8(n: number): string {
  return (n & 0xff).toString(16).padStart(2, '0');
}
