/**
 * Writes the consumer protocol: what a consumer puts in its JoinGroup metadata (subscription) and
 * what the leader hands out in SyncGroup (assignment). Version 1 carries owned partitions, which
 * cooperative rebalancing needs, and every Kafka client since 2.4 reads it.
 */
import type { TopicPartitions } from './consumer-protocol';
import { StructWriter } from './struct-writer';

export const CONSUMER_SUBSCRIPTION_VERSION = 1;
export const CONSUMER_ASSIGNMENT_VERSION = 1;

function writeTopicPartitions(w: StructWriter, list: readonly TopicPartitions[]): void {
  w.int32(list.length);
  for (const tp of list) {
    w.string(tp.topic).int32(tp.partitions.length);
    for (const p of tp.partitions) w.int32(p);
  }
}

export interface SubscriptionFields {
  readonly topics: readonly string[];
  readonly userData?: Buffer | null;
  readonly ownedPartitions?: readonly TopicPartitions[];
}

export function encodeConsumerSubscription(f: SubscriptionFields): Buffer {
  const w = new StructWriter().int16(CONSUMER_SUBSCRIPTION_VERSION).int32(f.topics.length);
  for (const t of f.topics) w.string(t);
  w.bytes(f.userData ?? null);
  writeTopicPartitions(w, f.ownedPartitions ?? []);
  return w.build();
}

export interface AssignmentFields {
  readonly assignedPartitions: readonly TopicPartitions[];
  readonly userData?: Buffer | null;
}

export function encodeConsumerAssignment(f: AssignmentFields): Buffer {
  const w = new StructWriter().int16(CONSUMER_ASSIGNMENT_VERSION);
  writeTopicPartitions(w, f.assignedPartitions);
  return w.bytes(f.userData ?? null).build();
}
