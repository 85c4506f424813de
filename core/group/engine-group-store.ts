import type { LogEngine } from '../log/engine/log-engine';
import { OFFSETS_TOPIC_CONFIG } from '../log/engine/topic-config';
import type { GroupStore, OffsetsTopicAppend, StoredOffsetsRecord } from './group-store';
import { DEFAULT_OFFSETS_PARTITION_COUNT } from './group-partition';
import { OFFSETS_TOPIC } from './log-dir-groups';

/**
 * Consumer groups kept where Kafka keeps them: records in `__consumer_offsets` of the log
 * directory, in Kafka's format. So groups survive restarts, a directory copied off a broker
 * shows its groups, and a group used over the Kafka protocol and one used in-process are one.
 */
export class EngineGroupStore implements GroupStore {
  constructor(
    private readonly engine: LogEngine,
    private readonly partitionCount = DEFAULT_OFFSETS_PARTITION_COUNT,
  ) {}

  appendOffsetsTopicRecords(partition: number, records: readonly OffsetsTopicAppend[]): void {
    if (records.length === 0) return;
    this.ensureTopic();
    this.engine.appendRecords(OFFSETS_TOPIC, partition, records.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp })));
  }

  *loadAll(): Iterable<StoredOffsetsRecord> {
    const topic = this.engine.describeTopic(OFFSETS_TOPIC);
    if (!topic) return;
    for (let partition = 0; partition < topic.partitions; partition++) {
      const from = this.engine.startOffset(OFFSETS_TOPIC, partition);
      for (const { record } of this.engine.read(OFFSETS_TOPIC, partition, { fromOffset: from })) {
        yield { partition, offset: record.offset, key: record.key, value: record.value, timestamp: record.timestamp };
      }
    }
  }

  private ensureTopic(): void {
    if (this.engine.describeTopic(OFFSETS_TOPIC)) return;
    this.engine.createTopic(OFFSETS_TOPIC, { partitions: this.partitionCount, config: OFFSETS_TOPIC_CONFIG as Record<string, string | number> });
  }
}
