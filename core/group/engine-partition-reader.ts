import type { LogEngine } from '../log/engine/log-engine';
import type { PartitionReader, PartitionRecord } from './partition-reader';

/** Records decoded per read: about a batch or two, so small polls do not decode a batch twice. */
const READ_AHEAD = 2000;

/**
 * What an in-process group consumer reads: the engine's partitions, control records left out.
 * Like Kafka's consumer, which fetches whole batches and hands them out max.poll.records at a
 * time, it keeps what it decoded beyond a poll for the next one.
 */
export class EnginePartitionReader implements PartitionReader {
  private readonly buffered = new Map<string, PartitionRecord[]>();

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
    if (from >= this.engine.endOffset(topic, partition) || maxRecords <= 0) return [];
    const key = `${partition}\u0000${topic}`;
    let buffer = this.buffered.get(key);
    const at = buffer ? buffer.findIndex((r) => r.offset >= from) : -1;
    if (!buffer || at < 0 || buffer[0]!.offset > from) {
      buffer = this.decode(topic, partition, from, Math.max(maxRecords, READ_AHEAD));
      this.buffered.set(key, buffer);
      return buffer.slice(0, maxRecords);
    }
    return buffer.slice(at, at + maxRecords);
  }

  private decode(topic: string, partition: number, from: number, maxRecords: number): PartitionRecord[] {
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
