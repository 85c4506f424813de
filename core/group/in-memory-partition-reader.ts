/**
 * Topics held in arrays, behind the PartitionReader interface: for tests and demos of group
 * consumers without a log directory.
 */
import type { RecordHeader } from '../log/batch/log-record';
import type { PartitionReader, PartitionRecord } from './partition-reader';

interface PartitionLog {
  /** Offset of records[0]. */
  start: number;
  records: PartitionRecord[];
}

export interface RecordToAppend {
  readonly key?: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp?: number;
  readonly headers?: readonly RecordHeader[];
}

export class InMemoryPartitionReader implements PartitionReader {
  private readonly topics = new Map<string, PartitionLog[]>();

  createTopic(topic: string, partitions: number): void {
    if (this.topics.has(topic)) throw new Error(`topic ${JSON.stringify(topic)} already exists`);
    this.topics.set(topic, Array.from({ length: partitions }, () => ({ start: 0, records: [] })));
  }

  /** Appends and returns the offset of the first record appended. */
  append(topic: string, partition: number, records: readonly RecordToAppend[]): number {
    const log = this.log(topic, partition);
    const first = log.start + log.records.length;
    for (const r of records) {
      log.records.push({
        offset: log.start + log.records.length,
        timestamp: r.timestamp ?? -1,
        key: r.key ?? null,
        value: r.value,
        headers: r.headers ?? [],
      });
    }
    return first;
  }

  /** Drops the records before `offset`, as retention would. */
  deleteBefore(topic: string, partition: number, offset: number): void {
    const log = this.log(topic, partition);
    const drop = Math.min(Math.max(0, offset - log.start), log.records.length);
    log.records.splice(0, drop);
    log.start += drop;
  }

  partitionCount(topic: string): number {
    return this.topics.get(topic)?.length ?? 0;
  }

  startOffset(topic: string, partition: number): number {
    return this.log(topic, partition).start;
  }

  endOffset(topic: string, partition: number): number {
    const log = this.log(topic, partition);
    return log.start + log.records.length;
  }

  read(topic: string, partition: number, fromOffset: number, maxRecords: number): readonly PartitionRecord[] {
    const log = this.log(topic, partition);
    const from = Math.max(0, fromOffset - log.start);
    return log.records.slice(from, from + Math.max(0, maxRecords));
  }

  private log(topic: string, partition: number): PartitionLog {
    const log = this.topics.get(topic)?.[partition];
    if (!log) throw new RangeError(`no partition ${topic}-${partition}`);
    return log;
  }
}
