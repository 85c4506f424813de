/**
 * The range assignor (Java's RangeAssignor, without rack awareness): per topic, the partitions
 * are cut into contiguous ranges over the subscribed members in member order, and the first
 * members take one extra partition each when the division leaves a remainder.
 */
import { compareMembers, compareStrings, emptyAssignment, partitionsOf, sortAssignment } from './assignor';
import type { AssignorMember, PartitionAssignment } from './assignor';

export function rangeAssign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): PartitionAssignment {
  const assignment = emptyAssignment(members);
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort(compareStrings);
  for (const topic of topics) {
    const count = partitionsPerTopic.get(topic);
    if (count === undefined) continue;
    const consumers = members.filter((m) => m.topics.includes(topic)).sort(compareMembers);
    const perConsumer = Math.floor(count / consumers.length);
    const extra = count % consumers.length;
    consumers.forEach((consumer, i) => {
      const start = perConsumer * i + Math.min(i, extra);
      const length = perConsumer + (i < extra ? 1 : 0);
      const list = partitionsOf(assignment, consumer.memberId);
      for (let p = start; p < start + length; p++) list.push({ topic, partition: p });
    });
  }
  return sortAssignment(assignment);
}
