import { crc32c } from '@node-rs/crc32';
import { compress } from '../compression/compression';
import { CompressionCodec } from '../compression/compression-codec';
import { Attribute, BATCH_HEADER_SIZE, BatchField, CRC_START, LOG_OVERHEAD } from './batch-layout';
import { writeInt64 } from './int64';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint';

export interface RecordToEncode {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers?: readonly { readonly key: string; readonly value: Uint8Array | null }[];
  /** Milliseconds since the epoch; -1 for none. */
  readonly timestamp: number;
  /** Defaults to the record's index; compacted batches keep their original, sparse deltas. */
  readonly offsetDelta?: number;
}

export interface BatchToEncode {
  readonly baseOffset: number;
  readonly records: readonly RecordToEncode[];
  readonly compression?: CompressionCodec;
  readonly timestampType?: 'CreateTime' | 'LogAppendTime';
  /** For LogAppendTime: the broker's append time, stored as maxTimestamp. */
  readonly logAppendTime?: number;
  readonly partitionLeaderEpoch?: number;
  readonly producerId?: number;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
  readonly isTransactional?: boolean;
  readonly isControl?: boolean;
  /** When set, the delete-horizon bit is set and the base timestamp holds this value. */
  readonly deleteHorizonMs?: number;
  /** Defaults to the last record's offset delta; the cleaner keeps the original one. */
  readonly lastOffsetDelta?: number;
}

const utf8 = new TextEncoder();

function bodySize(record: RecordToEncode, index: number, baseTimestamp: number, headerKeys: Uint8Array[]): number {
  let size = 1; // attributes
  size += sizeOfVarlong(record.timestamp - baseTimestamp);
  size += sizeOfVarint(record.offsetDelta ?? index);
  size += record.key ? sizeOfVarint(record.key.length) + record.key.length : 1;
  size += record.value ? sizeOfVarint(record.value.length) + record.value.length : 1;
  const headers = record.headers ?? [];
  size += sizeOfVarint(headers.length);
  headers.forEach((header, h) => {
    const key = headerKeys[h]!;
    size += sizeOfVarint(key.length) + key.length;
    size += header.value ? sizeOfVarint(header.value.length) + header.value.length : 1;
  });
  return size;
}

function writeBytes(buf: Buffer, bytes: Uint8Array | null, position: number): number {
  if (!bytes) return writeVarint(buf, -1, position);
  const pos = writeVarint(buf, bytes.length, position);
  buf.set(bytes, pos);
  return pos + bytes.length;
}

function encodeRecordsPayload(records: readonly RecordToEncode[], baseTimestamp: number): Buffer {
  const headerKeys = records.map((r) => (r.headers ?? []).map((h) => utf8.encode(h.key)));
  const sizes = records.map((r, i) => bodySize(r, i, baseTimestamp, headerKeys[i]!));
  const total = sizes.reduce((sum, size) => sum + sizeOfVarint(size) + size, 0);
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  records.forEach((record, i) => {
    pos = writeVarint(buf, sizes[i]!, pos);
    buf[pos++] = 0;
    pos = writeVarlong(buf, record.timestamp - baseTimestamp, pos);
    pos = writeVarint(buf, record.offsetDelta ?? i, pos);
    pos = writeBytes(buf, record.key, pos);
    pos = writeBytes(buf, record.value, pos);
    const headers = record.headers ?? [];
    pos = writeVarint(buf, headers.length, pos);
    headers.forEach((header, h) => {
      pos = writeBytes(buf, headerKeys[i]![h]!, pos);
      pos = writeBytes(buf, header.value, pos);
    });
  });
  return buf;
}

/** Encodes one RecordBatch v2, byte for byte as a Kafka producer and broker would store it. */
export function encodeRecordBatch(batch: BatchToEncode): Buffer {
  const { records } = batch;
  if (records.length === 0 && batch.lastOffsetDelta === undefined) throw new RangeError('a record batch needs at least one record');
  const codec = batch.compression ?? CompressionCodec.None;
  const logAppend = batch.timestampType === 'LogAppendTime';
  const firstTimestamp = records[0]?.timestamp ?? -1;
  const baseTimestamp = batch.deleteHorizonMs ?? firstTimestamp;
  const maxTimestamp = logAppend ? (batch.logAppendTime ?? Date.now()) : records.reduce((max, r) => Math.max(max, r.timestamp), -1);
  const lastOffsetDelta = batch.lastOffsetDelta ?? (records.length ? (records[records.length - 1]!.offsetDelta ?? records.length - 1) : 0);

  const payload = compress(codec, encodeRecordsPayload(records, baseTimestamp));
  const buf = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
  let attributes = codec;
  if (logAppend) attributes |= Attribute.timestampTypeLogAppend;
  if (batch.isTransactional) attributes |= Attribute.transactional;
  if (batch.isControl) attributes |= Attribute.control;
  if (batch.deleteHorizonMs !== undefined) attributes |= Attribute.deleteHorizon;

  writeInt64(buf, batch.baseOffset, BatchField.baseOffset);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, BatchField.batchLength);
  buf.writeInt32BE(batch.partitionLeaderEpoch ?? -1, BatchField.partitionLeaderEpoch);
  buf.writeInt8(2, BatchField.magic);
  buf.writeInt16BE(attributes, BatchField.attributes);
  buf.writeInt32BE(lastOffsetDelta, BatchField.lastOffsetDelta);
  writeInt64(buf, baseTimestamp, BatchField.baseTimestamp);
  writeInt64(buf, maxTimestamp, BatchField.maxTimestamp);
  writeInt64(buf, batch.producerId ?? -1, BatchField.producerId);
  buf.writeInt16BE(batch.producerEpoch ?? -1, BatchField.producerEpoch);
  buf.writeInt32BE(batch.baseSequence ?? -1, BatchField.baseSequence);
  buf.writeInt32BE(records.length, BatchField.recordCount);
  buf.set(payload, BATCH_HEADER_SIZE);
  writeBatchCrc(buf);
  return buf;
}

/** Recomputes the CRC after a field it covers changed (for example the LogAppendTime stamp). */
export function writeBatchCrc(batch: Buffer): void {
  batch.writeUInt32BE(crc32c(batch.subarray(CRC_START)) >>> 0, BatchField.crc);
}

/**
 * Sets the broker-assigned fields of a batch in place. Neither is covered by the CRC, which is why
 * a broker can store producers' bytes verbatim.
 */
export function assignBaseOffset(batch: Buffer, baseOffset: number, partitionLeaderEpoch: number): void {
  writeInt64(batch, baseOffset, BatchField.baseOffset);
  batch.writeInt32BE(partitionLeaderEpoch, BatchField.partitionLeaderEpoch);
}
