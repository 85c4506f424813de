import type { LogEngine } from '../log/engine/log-engine';
import type { PartitionReader, PartitionRecord } from './partition-reader';

/** What an in-process group consumer reads: the engine's partitions, control records left out. */
export class EnginePartitionReader implements PartitionReader {
  constructor(private readonly engine: LogEngine) {}

  partitionCount(topic: string): number {
    return this.engine.describeTopic(topic)?.partitions ?? 0;
  }

  startOffset(topic: string, partition: number): number {
    return this.engine.startOffset(topic, partition);
  }

  endOffset(topic: string, partition: number): number {
    return this.engine.endOffset(topic, partition);
  }

  read(topic: string, partition: number, fromOffset: number, maxRecords: number): readonly PartitionRecord[] {
    const from = Math.max(fromOffset, this.engine.startOffset(topic, partition));
    if (from >= this.engine.endOffset(topic, partition)) return [];
    // Plain objects: decoded records keep key and value behind getters, which spreading would drop.
    return this.engine.read(topic, partition, { fromOffset: from, maxRecords }).map(({ record }) => ({
      offset: record.offset,
      timestamp: record.timestamp,
      timestampType: record.timestampType,
      key: record.key,
      value: record.value,
      headers: record.headers,
    }));
  }
}
