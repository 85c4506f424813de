/**
 * Builds legacy (magic 0/1) entries. Kafka 4.0 no longer writes them, so tests, fixtures and
 * benchmarks need their own way to make the bytes that old logs hold. Reference: kafka-format.md
 * section 2.5.
 */
import { crc32 } from '@node-rs/crc32';
import type { TimestampType } from '../batch/log-record';
import { CompressionCodec } from '../compression/compression-codec';
import { compress } from '../compression/compression';
import { xxhash32 } from '../compression/xxhash32';
import { LEGACY_LOG_OVERHEAD, LEGACY_MIN_MESSAGE_SIZE, LegacyField } from './legacy-message';

export type LegacyTimestampType = Exclude<TimestampType, 'NoTimestampType'>;

export interface LegacyMessageSpec {
  readonly offset: number;
  readonly magic: 0 | 1;
  /** Magic 1 only; defaults to -1 (none). */
  readonly timestamp?: number;
  /** Magic 1 only; defaults to CreateTime. */
  readonly timestampType?: LegacyTimestampType;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  /**
   * Codec bits written to the attributes. The value is stored as given, so for a codec other than
   * None it must already be a compressed message set (see encodeLegacyCompressedWrapper).
   */
  readonly codec?: CompressionCodec;
}

export interface LegacyInnerRecordSpec {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  /** Magic 1 only; defaults to -1 (none). */
  readonly timestamp?: number;
}

export interface LegacyWrapperSpec {
  readonly magic: 0 | 1;
  /** Absolute offset of the last inner record; the others precede it one by one. */
  readonly wrapperOffset: number;
  readonly codec: Exclude<CompressionCodec, CompressionCodec.None>;
  readonly records: readonly LegacyInnerRecordSpec[];
  /** Magic 1 only; defaults to CreateTime. */
  readonly timestampType?: LegacyTimestampType;
  /**
   * Magic 1 only: the wrapper's own timestamp, which is the broker's append time for
   * LogAppendTime. Defaults to the largest inner timestamp, as producers write it.
   */
  readonly wrapperTimestamp?: number;
}

/** One entry: offset, messageSize, CRC-32 and the message, ready to append to a `.log` file. */
export function encodeLegacyMessage(spec: LegacyMessageSpec): Buffer {
  const { magic, key, value } = spec;
  const codec = spec.codec ?? CompressionCodec.None;
  if (magic !== 0 && magic !== 1) throw new RangeError(`legacy messages have magic 0 or 1, not ${String(magic)}`);
  if (magic === 0 && spec.timestamp !== undefined && spec.timestamp !== -1) {
    throw new RangeError('magic 0 messages have no timestamp');
  }
  if (magic === 0 && spec.timestampType !== undefined) {
    throw new RangeError('magic 0 messages have no timestamp type');
  }

  const messageSize = LEGACY_MIN_MESSAGE_SIZE[magic] + (key?.length ?? 0) + (value?.length ?? 0);
  const buf = Buffer.alloc(LEGACY_LOG_OVERHEAD + messageSize);
  writeInt64(buf, spec.offset, LegacyField.offset);
  buf.writeInt32BE(messageSize, LegacyField.messageSize);
  buf.writeInt8(magic, LegacyField.magic);
  const logAppendTime = magic === 1 && spec.timestampType === 'LogAppendTime';
  buf.writeUInt8(codec | (logAppendTime ? 0x08 : 0), LegacyField.attributes);
  let at: number = LegacyField.timestamp;
  if (magic === 1) {
    writeInt64(buf, spec.timestamp ?? -1, at);
    at += 8;
  }
  at = writeBytes(buf, key, at);
  writeBytes(buf, value, at);
  buf.writeUInt32BE(crc32(buf.subarray(LegacyField.magic)) >>> 0, LegacyField.crc);
  return buf;
}

/**
 * A compressed wrapper holding `records`, laid out as Kafka did: magic 1 inner offsets are
 * relative (0..n-1), magic 0 inner offsets absolute, and the wrapper carries the absolute offset
 * of the last one.
 */
export function encodeLegacyCompressedWrapper(spec: LegacyWrapperSpec): Buffer {
  const { magic, wrapperOffset, codec, records } = spec;
  if (records.length === 0) throw new RangeError('a compressed wrapper needs at least one inner record');
  if ((codec as CompressionCodec) === CompressionCodec.None) {
    throw new RangeError('a compressed wrapper needs a codec other than none');
  }
  if (magic === 0 && (spec.timestampType !== undefined || spec.wrapperTimestamp !== undefined)) {
    throw new RangeError('magic 0 messages have no timestamp or timestamp type');
  }
  const firstOffset = wrapperOffset - (records.length - 1);
  if (firstOffset < 0) {
    throw new RangeError(`wrapper offset ${wrapperOffset} is too small for ${records.length} records`);
  }

  // Inner messages stay CreateTime with the producer's timestamps even under LogAppendTime: the
  // broker stamps only the wrapper, so readers must take the wrapper's time.
  const inner = records.map((record, i) =>
    encodeLegacyMessage({
      offset: magic === 1 ? i : firstOffset + i,
      magic,
      timestamp: record.timestamp,
      key: record.key,
      value: record.value,
    }),
  );
  let payload = compress(codec, Buffer.concat(inner));
  if (codec === CompressionCodec.Lz4 && magic === 0) payload = withKafka3160HeaderChecksum(payload);
  const wrapperTimestamp =
    spec.wrapperTimestamp ?? records.reduce((max, record) => Math.max(max, record.timestamp ?? -1), -1);
  return encodeLegacyMessage({
    offset: wrapperOffset,
    magic,
    ...(magic === 1 ? { timestamp: wrapperTimestamp, timestampType: spec.timestampType } : {}),
    key: null,
    value: payload,
    codec,
  });
}

/**
 * Kafka kept writing magic 0 LZ4 frames with the header checksum taken over the frame magic as
 * well as the descriptor (KAFKA-3160), so old clients could read them; real v0 logs hold that.
 */
function withKafka3160HeaderChecksum(frame: Buffer): Buffer {
  const flg = frame[4] ?? 0;
  const checksumAt = 4 + 2 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0);
  const broken = Buffer.from(frame);
  broken[checksumAt] = (xxhash32(frame.subarray(0, checksumAt)) >>> 8) & 0xff;
  return broken;
}

function writeBytes(buf: Buffer, bytes: Uint8Array | null, at: number): number {
  if (bytes === null) {
    buf.writeInt32BE(-1, at);
    return at + 4;
  }
  buf.writeInt32BE(bytes.length, at);
  buf.set(bytes, at + 4);
  return at + 4 + bytes.length;
}

function writeInt64(buf: Buffer, value: number, at: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer for an i64 field`);
  const high = Math.floor(value / 0x1_0000_0000);
  buf.writeInt32BE(high, at);
  buf.writeUInt32BE(value - high * 0x1_0000_0000, at + 4);
}
