/**
 * The sticky assignment and its cooperative form (KIP-429). Sticky: every member keeps the
 * partitions it owns as long as it still subscribes to them and keeping them leaves the group
 * balanced; only what must move moves. Cooperative: a partition that moves from one member to
 * another is left out of this generation altogether, so its owner revokes it first and the
 * follow-up rebalance hands it over. Two members never hold the same partition at once.
 *
 * The properties follow Java's CooperativeStickyAssignor; the exact choice among equally good
 * assignments does not (Java's is an implementation detail no client depends on).
 */
import { compareMembers, compareTopicPartitions, partitionsOf, sortAssignment, subscribedPartitions, topicPartitionKey } from './assignor';
import type { AssignorMember, PartitionAssignment, TopicPartition } from './assignor';

interface Plan {
  readonly assignment: PartitionAssignment;
  /** Partition key to its single valid previous owner. */
  readonly owner: ReadonlyMap<string, string>;
}

function isValidPartition(tp: TopicPartition, partitionsPerTopic: ReadonlyMap<string, number>): boolean {
  const count = partitionsPerTopic.get(tp.topic);
  return count !== undefined && Number.isInteger(tp.partition) && tp.partition >= 0 && tp.partition < count;
}

/** Claims that still hold: the partition exists, the member still subscribes, and nobody else claims it. */
function validOwners(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): Map<string, string> {
  const claims = new Map<string, Set<string>>();
  for (const m of members) {
    for (const tp of m.ownedPartitions ?? []) {
      if (!isValidPartition(tp, partitionsPerTopic) || !m.topics.includes(tp.topic)) continue;
      const key = topicPartitionKey(tp);
      const set = claims.get(key) ?? new Set<string>();
      set.add(m.memberId);
      claims.set(key, set);
    }
  }
  const owner = new Map<string, string>();
  // Two members claiming one partition means one of them missed a rebalance; trusting either could
  // leave it with two readers, so neither keeps it (Java invalidates such claims too).
  for (const [key, ids] of claims) if (ids.size === 1) owner.set(key, [...ids][0] as string);
  return owner;
}

function plan(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): Plan {
  const ordered = [...members].sort(compareMembers);
  const assignment: PartitionAssignment = new Map(ordered.map((m) => [m.memberId, []]));
  const owner = validOwners(members, partitionsPerTopic);
  const all = subscribedPartitions(members, partitionsPerTopic);
  const eligibleFor = new Map<string, AssignorMember[]>();
  for (const topic of new Set(all.map((tp) => tp.topic))) eligibleFor.set(topic, ordered.filter((m) => m.topics.includes(topic)));
  const eligible = (tp: TopicPartition): AssignorMember[] => eligibleFor.get(tp.topic) ?? [];
  const count = (memberId: string): number => partitionsOf(assignment, memberId).length;

  const unassigned: TopicPartition[] = [];
  for (const tp of all) {
    const o = owner.get(topicPartitionKey(tp));
    if (o === undefined) unassigned.push(tp);
    else partitionsOf(assignment, o).push(tp);
  }

  // The partitions with the fewest candidates go first, while those candidates still have room.
  unassigned.sort((a, b) => eligible(a).length - eligible(b).length || compareTopicPartitions(a, b));
  for (const tp of unassigned) {
    let best: AssignorMember | undefined;
    for (const m of eligible(tp)) if (best === undefined || count(m.memberId) < count(best.memberId)) best = m;
    if (best) partitionsOf(assignment, best.memberId).push(tp);
  }

  // Move one partition at a time from a member to an eligible one with at least two fewer. Each
  // move lowers the sum of squared counts, so this ends; with equal subscriptions it ends with
  // counts at most one apart.
  for (;;) {
    let moved = false;
    const byLoad = [...ordered].sort((a, b) => count(b.memberId) - count(a.memberId) || compareMembers(a, b));
    for (const from of byLoad) {
      const list = partitionsOf(assignment, from.memberId);
      // Give away what the member did not own before it gives away what it did.
      const candidates = [...list].sort((a, b) => {
        const ao = owner.get(topicPartitionKey(a)) === from.memberId ? 1 : 0;
        const bo = owner.get(topicPartitionKey(b)) === from.memberId ? 1 : 0;
        return ao - bo || compareTopicPartitions(b, a);
      });
      for (const tp of candidates) {
        let to: AssignorMember | undefined;
        for (const m of eligible(tp)) {
          if (count(m.memberId) > list.length - 2) continue;
          if (to === undefined || count(m.memberId) < count(to.memberId)) to = m;
        }
        if (!to) continue;
        list.splice(list.indexOf(tp), 1);
        partitionsOf(assignment, to.memberId).push(tp);
        moved = true;
        break;
      }
      if (moved) break;
    }
    if (!moved) break;
  }
  return { assignment, owner };
}

/** The balanced target, keeping owned partitions where it can (what the eager sticky assignor hands out). */
export function stickyAssign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): PartitionAssignment {
  return sortAssignment(plan(members, partitionsPerTopic).assignment);
}

/** The sticky target minus every partition that another member still owns: those move in the next rebalance. */
export function cooperativeStickyAssign(
  members: readonly AssignorMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): PartitionAssignment {
  const { assignment, owner } = plan(members, partitionsPerTopic);
  for (const [memberId, list] of assignment) {
    const kept = list.filter((tp) => {
      const o = owner.get(topicPartitionKey(tp));
      return o === undefined || o === memberId;
    });
    assignment.set(memberId, kept);
  }
  return sortAssignment(assignment);
}
