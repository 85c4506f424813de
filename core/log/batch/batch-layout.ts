/** Byte layout of a RecordBatch v2 header (reference: kafka-format.md section 2.1). */
export const BatchField = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
} as const;

/** Bytes before the records of a v2 batch. */
export const BATCH_HEADER_SIZE = 61;
/** The offset and length fields that precede every batch or legacy message. */
export const LOG_OVERHEAD = 12;
/** Bytes needed to learn a batch's offset, length and magic (the magic byte sits at 16). */
export const MAGIC_PROBE_SIZE = 17;
/** The CRC covers everything from the attributes to the end of the batch. */
export const CRC_START = BatchField.attributes;

export const Attribute = {
  compressionMask: 0x07,
  timestampTypeLogAppend: 0x08,
  transactional: 0x10,
  control: 0x20,
  deleteHorizon: 0x40,
} as const;
