/**
 * The round-robin assignor (Java's RoundRobinAssignor): all subscribed partitions, sorted by
 * topic then partition, dealt one by one to the members in member order, passing over a member
 * that does not subscribe to the partition's topic.
 */
import { compareMembers, emptyAssignment, partitionsOf, sortAssignment, subscribedPartitions } from './assignor';
import type { AssignorMember, PartitionAssignment } from './assignor';

export function roundRobinAssign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): PartitionAssignment {
  const assignment = emptyAssignment(members);
  const ordered = [...members].sort(compareMembers);
  let next = 0;
  for (const tp of subscribedPartitions(members, partitionsPerTopic)) {
    // Some member subscribes to every topic in the list, so this ends within one turn of the circle.
    while (!(ordered[next % ordered.length] as AssignorMember).topics.includes(tp.topic)) next++;
    const member = ordered[next % ordered.length] as AssignorMember;
    partitionsOf(assignment, member.memberId).push(tp);
    next++;
  }
  return sortAssignment(assignment);
}
