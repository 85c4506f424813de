/**
 * How far a group is behind: per partition, the log end offset minus the committed offset, for
 * every partition the group committed or has assigned now (as kafka-consumer-groups --describe).
 */
import type { ClassicGroup } from './classic-group';
import { decodeConsumerAssignment } from './consumer-protocol';
import type { GroupLag, PartitionLag } from './group-coordinator-api';

/** The log end offset of a partition, or null when it is unknown (e.g. the topic is gone). */
export type EndOffsetLookup = (topic: string, partition: number) => number | null;

interface Row {
  topic: string;
  partition: number;
  committedOffset: number;
  memberId: string | null;
}

export function computeGroupLag(group: ClassicGroup, endOffset: EndOffsetLookup): GroupLag {
  const rows = new Map<string, Row>();
  const row = (topic: string, partition: number): Row => {
    const key = `${partition}\u0000${topic}`;
    let r = rows.get(key);
    if (!r) {
      r = { topic, partition, committedOffset: -1, memberId: null };
      rows.set(key, r);
    }
    return r;
  };
  for (const o of group.offsets.values()) row(o.topic, o.partition).committedOffset = o.offset;
  // Assignments only hold for a generation that completed.
  if (group.protocolType === 'consumer' && group.state === 'Stable') {
    for (const m of group.members.values()) {
      const decoded = decodeConsumerAssignment(m.assignment);
      if (decoded.kind !== 'decoded') continue;
      for (const tp of decoded.value.assignedPartitions) for (const p of tp.partitions) row(tp.topic, p).memberId = m.memberId;
    }
  }
  const partitions: PartitionLag[] = [...rows.values()]
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
    .map((r) => {
      const end = endOffset(r.topic, r.partition);
      const lag = end === null || r.committedOffset < 0 ? null : Math.max(0, end - r.committedOffset);
      return { ...r, endOffset: end, lag };
    });
  return { groupId: group.groupId, partitions, totalLag: partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0) };
}
