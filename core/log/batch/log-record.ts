import type { CompressionCodec } from '../compression/compression-codec';

export type TimestampType = 'CreateTime' | 'LogAppendTime' | 'NoTimestampType';

export interface RecordHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

/** One record as a consumer sees it, whatever the on-disk format (magic 0, 1 or 2) it came from. */
export interface LogRecord {
  readonly offset: number;
  /** Milliseconds since the epoch; -1 when the producer set none. */
  readonly timestamp: number;
  readonly timestampType: TimestampType;
  readonly key: Buffer | null;
  /** null is a tombstone. */
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

/** A transaction marker or KRaft control record. Consumers never see these, but each has an offset. */
export type ControlRecordType =
  | 'ABORT'
  | 'COMMIT'
  | 'LEADER_CHANGE'
  | 'SNAPSHOT_HEADER'
  | 'SNAPSHOT_FOOTER'
  | 'KRAFT_VERSION'
  | 'KRAFT_VOTERS'
  | `UNKNOWN(${number})`;

/**
 * One unit of a `.log` file: a v2 RecordBatch, or a legacy (magic 0/1) message, which may be a
 * compressed wrapper holding several inner messages. Header fields are read without decoding the
 * records; records are decoded (and decompressed) only when asked for.
 */
export interface LogBatch {
  readonly magic: 0 | 1 | 2;
  /** Byte position of the batch in its file. */
  readonly position: number;
  /** Total size in bytes, including the offset and length fields. */
  readonly sizeInBytes: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly partitionLeaderEpoch: number;
  readonly maxTimestamp: number;
  readonly timestampType: TimestampType;
  readonly compression: CompressionCodec;
  readonly isTransactional: boolean;
  readonly isControl: boolean;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  /** Number of records. For a legacy compressed wrapper this decompresses it. */
  readonly recordCount: number;
  /** Throws LogFormatError when the stored checksum does not match the bytes. */
  verifyChecksum(): void;
  /** Decodes every record. Throws LogFormatError naming the file and byte on malformed content. */
  records(): LogRecord[];
}
