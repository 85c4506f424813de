/**
 * What a group consumer reads records through. The log engine implements it over a log directory;
 * InMemoryPartitionReader serves tests. Synchronous on purpose: the consumer checks its membership
 * and reads in one step, so no rebalance can hand the partition to someone else in between.
 */
import type { RecordHeader, TimestampType } from '../log/batch/log-record';

export interface PartitionRecord {
  readonly offset: number;
  /** Milliseconds since the epoch; -1 when the producer set none. */
  readonly timestamp: number;
  readonly key: Buffer | null;
  /** null is a tombstone. */
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
  /** How the timestamp was set, where the reader knows it. */
  readonly timestampType?: TimestampType;
}

export interface PartitionReader {
  /** How many partitions the topic has; 0 when it does not exist. */
  partitionCount(topic: string): number;
  /** The log start offset: the first offset still stored (retention may have removed earlier ones). */
  startOffset(topic: string, partition: number): number;
  /** The log end offset (high watermark): the offset the next record appended will get. */
  endOffset(topic: string, partition: number): number;
  /**
   * Up to `maxRecords` records with offsets from `fromOffset`, in offset order. Offsets may skip
   * (compaction, control records); transaction markers and aborted records are not returned.
   * Empty when `fromOffset` is at the end.
   */
  read(topic: string, partition: number, fromOffset: number, maxRecords: number): readonly PartitionRecord[];
}
