import { crc32c } from '@node-rs/crc32';
import { decompress } from '../compression/compression';
import { type CompressionCodec, codecName, isKnownCodec } from '../compression/compression-codec';
import { LogFormatError } from '../errors';
import { Attribute, BATCH_HEADER_SIZE, BatchField, CRC_START, LOG_OVERHEAD } from './batch-layout';
import { controlRecordType } from './control-record';
import { readInt64 } from './int64';
import type { ControlRecordType, LogBatch, LogRecord, RecordHeader, TimestampType } from './log-record';
import { decodeRecords } from './record-decoder';

/**
 * A RecordBatch v2 over the bytes of one whole batch. The header is parsed on construction;
 * records are decompressed and decoded only when asked for, so scans that need offsets, counts
 * or timestamps never touch record bytes.
 */
export class RecordBatchV2 implements LogBatch {
  readonly magic = 2 as const;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly partitionLeaderEpoch: number;
  readonly attributes: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordCount: number;
  readonly storedCrc: number;

  /**
   * @param bytes exactly one batch, from its baseOffset field to its last byte
   * @param position where the batch starts in `file`, for error messages
   */
  constructor(
    readonly bytes: Buffer,
    readonly position: number,
    readonly file: string,
  ) {
    if (bytes.length < BATCH_HEADER_SIZE) {
      throw new LogFormatError({ file, position }, `record batch is ${bytes.length} bytes, shorter than the ${BATCH_HEADER_SIZE}-byte v2 header`);
    }
    const declared = bytes.readInt32BE(BatchField.batchLength) + LOG_OVERHEAD;
    if (declared !== bytes.length) {
      throw new LogFormatError({ file, position: position + BatchField.batchLength }, `batch length field says ${declared} bytes but ${bytes.length} were given`);
    }
    const magic = bytes.readInt8(BatchField.magic);
    if (magic !== 2) throw new LogFormatError({ file, position: position + BatchField.magic }, `magic byte is ${magic}, expected 2 for a record batch`);
    this.baseOffset = readInt64(bytes, BatchField.baseOffset);
    const lastOffsetDelta = bytes.readInt32BE(BatchField.lastOffsetDelta);
    this.lastOffset = this.baseOffset + lastOffsetDelta;
    this.partitionLeaderEpoch = bytes.readInt32BE(BatchField.partitionLeaderEpoch);
    this.storedCrc = bytes.readUInt32BE(BatchField.crc);
    this.attributes = bytes.readInt16BE(BatchField.attributes);
    this.baseTimestamp = readInt64(bytes, BatchField.baseTimestamp);
    this.maxTimestamp = readInt64(bytes, BatchField.maxTimestamp);
    this.producerId = readInt64(bytes, BatchField.producerId);
    this.producerEpoch = bytes.readInt16BE(BatchField.producerEpoch);
    this.baseSequence = bytes.readInt32BE(BatchField.baseSequence);
    this.recordCount = bytes.readInt32BE(BatchField.recordCount);
    if (lastOffsetDelta < 0) {
      throw new LogFormatError({ file, position: position + BatchField.lastOffsetDelta }, `lastOffsetDelta ${lastOffsetDelta} is negative`);
    }
    // Compaction may remove records but never offsets, so count <= lastOffsetDelta + 1 always holds.
    if (this.recordCount < 0 || this.recordCount > lastOffsetDelta + 1) {
      throw new LogFormatError(
        { file, position: position + BatchField.recordCount },
        `record count ${this.recordCount} does not fit the batch's ${lastOffsetDelta + 1} offsets`,
      );
    }
  }

  get sizeInBytes(): number {
    return this.bytes.length;
  }

  get compression(): CompressionCodec {
    return (this.attributes & Attribute.compressionMask) as CompressionCodec;
  }

  get timestampType(): TimestampType {
    return this.attributes & Attribute.timestampTypeLogAppend ? 'LogAppendTime' : 'CreateTime';
  }

  get isTransactional(): boolean {
    return (this.attributes & Attribute.transactional) !== 0;
  }

  get isControl(): boolean {
    return (this.attributes & Attribute.control) !== 0;
  }

  /** Set by the log cleaner on batches that keep tombstones or markers (KIP-534). */
  get hasDeleteHorizon(): boolean {
    return (this.attributes & Attribute.deleteHorizon) !== 0;
  }

  /** When the delete-horizon bit is set the base timestamp field holds the horizon; -1 otherwise. */
  get deleteHorizonMs(): number {
    return this.hasDeleteHorizon ? this.baseTimestamp : -1;
  }

  computeCrc(): number {
    return crc32c(this.bytes.subarray(CRC_START)) >>> 0;
  }

  verifyChecksum(): void {
    const actual = this.computeCrc();
    if (actual !== this.storedCrc) {
      throw new LogFormatError(
        { file: this.file, position: this.position + BatchField.crc },
        `CRC-32C mismatch in batch at offset ${this.baseOffset}: stored ${hex(this.storedCrc)}, computed ${hex(actual)} over bytes ${this.position + CRC_START}-${this.position + this.bytes.length - 1}`,
      );
    }
  }

  records(): LogRecord[] {
    const codec = this.compression;
    if (!isKnownCodec(codec)) {
      throw new LogFormatError(
        { file: this.file, position: this.position + BatchField.attributes },
        `unknown compression codec ${codec} in attributes ${hex(this.attributes, 4)} of batch at offset ${this.baseOffset}`,
      );
    }
    const payloadWhere = { file: this.file, position: this.position + BATCH_HEADER_SIZE };
    const payload = decompress(codec, this.bytes.subarray(BATCH_HEADER_SIZE), payloadWhere);
    const describe = (byte: number) =>
      codec === 0 ? { file: this.file, position: this.position + BATCH_HEADER_SIZE + byte } : { file: this.file, position: this.position, inside: `${codecName(codec)} payload at byte ${byte}` };
    return decodeRecords(payload, this, describe);
  }

  /** For a control batch: the type of its (single) control record. */
  controlType(): ControlRecordType {
    const [record] = this.records();
    const type = controlRecordType(record?.key ?? null);
    if (typeof type === 'object') throw new LogFormatError({ file: this.file, position: this.position }, type.error);
    return type;
  }
}

export function hex(value: number, digits = 8): string {
  return `0x${(value >>> 0).toString(16).padStart(digits, '0')}`;
}

export type { RecordHeader };
