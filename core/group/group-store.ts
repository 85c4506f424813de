/**
 * Where the group coordinator keeps its state: the records of `__consumer_offsets`, exactly as
 * Kafka writes them, so a log directory's groups survive a restart and read the same in Kafka.
 * The log engine implements this over the real topic; InMemoryGroupStore serves tests.
 */
import type { OffsetsTopicRecord } from './committed-offsets';

/** One record to append. The key is never null: every coordinator record has one. */
export interface OffsetsTopicAppend {
  readonly key: Buffer;
  /** null is a tombstone. */
  readonly value: Buffer | null;
  readonly timestamp: number;
}

export interface StoredOffsetsRecord extends OffsetsTopicRecord {
  /** The `__consumer_offsets` partition that holds it. */
  readonly partition: number;
}

export interface GroupStore {
  /**
   * Appends the records to one `__consumer_offsets` partition, all or nothing, as one
   * non-transactional batch (producer id -1), and returns once they are durable. Throwing means
   * nothing was written: the coordinator keeps its previous state and answers
   * COORDINATOR_NOT_AVAILABLE, which clients retry.
   */
  appendOffsetsTopicRecords(partition: number, records: readonly OffsetsTopicAppend[]): void;
  /** Every stored record, in offset order within each partition (partitions in any order). */
  loadAll(): Iterable<StoredOffsetsRecord>;
}

export class InMemoryGroupStore implements GroupStore {
  private readonly partitions = new Map<number, StoredOffsetsRecord[]>();

  appendOffsetsTopicRecords(partition: number, records: readonly OffsetsTopicAppend[]): void {
    const log = this.partitions.get(partition) ?? [];
    this.partitions.set(partition, log);
    for (const r of records) log.push({ partition, offset: log.length, key: r.key, value: r.value, timestamp: r.timestamp });
  }

  *loadAll(): Iterable<StoredOffsetsRecord> {
    for (const partition of [...this.partitions.keys()].sort((a, b) => a - b)) yield* this.records(partition);
  }

  /** The records of one partition, in offset order. */
  records(partition: number): readonly StoredOffsetsRecord[] {
    return this.partitions.get(partition) ?? [];
  }

  /** The partitions that hold at least one record. */
  partitionNumbers(): number[] {
    return [...this.partitions.keys()].sort((a, b) => a - b);
  }
}
