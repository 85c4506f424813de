import { Attribute, BATCH_HEADER_SIZE, BatchField, LOG_OVERHEAD } from '../batch/batch-layout';
import { readInt64 } from '../batch/int64';
import type { LogBatch, TimestampType } from '../batch/log-record';
import type { CompressionCodec } from '../compression/compression-codec';

/** The facts about a batch that its header gives without reading its records. */
export type BatchHeader = Pick<
  LogBatch,
  | 'magic'
  | 'position'
  | 'sizeInBytes'
  | 'baseOffset'
  | 'lastOffset'
  | 'partitionLeaderEpoch'
  | 'maxTimestamp'
  | 'timestampType'
  | 'compression'
  | 'isTransactional'
  | 'isControl'
  | 'producerId'
  | 'producerEpoch'
  | 'baseSequence'
  | 'recordCount'
> & {
  /** The first record's timestamp (v2 base timestamp, unless it holds a delete horizon); -1 when none. */
  readonly firstTimestamp: number;
};

/** Reads a v2 batch header from its first 61 bytes; the caller has checked magic and length. */
export function parseV2Header(bytes: Buffer, position: number): BatchHeader {
  const attributes = bytes.readInt16BE(BatchField.attributes);
  const baseOffset = readInt64(bytes, BatchField.baseOffset);
  const maxTimestamp = readInt64(bytes, BatchField.maxTimestamp);
  const logAppend = (attributes & Attribute.timestampTypeLogAppend) !== 0;
  const deleteHorizon = (attributes & Attribute.deleteHorizon) !== 0;
  return {
    magic: 2,
    position,
    sizeInBytes: bytes.readInt32BE(BatchField.batchLength) + LOG_OVERHEAD,
    baseOffset,
    lastOffset: baseOffset + bytes.readInt32BE(BatchField.lastOffsetDelta),
    partitionLeaderEpoch: bytes.readInt32BE(BatchField.partitionLeaderEpoch),
    maxTimestamp,
    firstTimestamp: logAppend || deleteHorizon ? maxTimestamp : readInt64(bytes, BatchField.baseTimestamp),
    timestampType: (logAppend ? 'LogAppendTime' : 'CreateTime') as TimestampType,
    compression: (attributes & Attribute.compressionMask) as CompressionCodec,
    isTransactional: (attributes & Attribute.transactional) !== 0,
    isControl: (attributes & Attribute.control) !== 0,
    producerId: readInt64(bytes, BatchField.producerId),
    producerEpoch: bytes.readInt16BE(BatchField.producerEpoch),
    baseSequence: bytes.readInt32BE(BatchField.baseSequence),
    recordCount: bytes.readInt32BE(BatchField.recordCount),
  };
}

export function headerOf(batch: LogBatch): BatchHeader {
  return {
    magic: batch.magic,
    position: batch.position,
    sizeInBytes: batch.sizeInBytes,
    baseOffset: batch.baseOffset,
    lastOffset: batch.lastOffset,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    maxTimestamp: batch.maxTimestamp,
    firstTimestamp: batch.maxTimestamp,
    timestampType: batch.timestampType,
    compression: batch.compression,
    isTransactional: batch.isTransactional,
    isControl: batch.isControl,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    recordCount: batch.recordCount,
  };
}

export { BATCH_HEADER_SIZE };
