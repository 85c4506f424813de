/**
 * The shape every partition assignor shares: the group leader's pure function from the members'
 * subscriptions (and, for sticky assignors, what they own now) to each member's partitions.
 */

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface AssignorMember {
  readonly memberId: string;
  /** Static members sort by instance id first, as the Java assignors do. */
  readonly groupInstanceId?: string | null;
  readonly topics: readonly string[];
  /** What the member owned in the previous generation (subscription v1+); only sticky assignors read it. */
  readonly ownedPartitions?: readonly TopicPartition[];
}

/** Every member gets an entry, possibly empty, with its partitions sorted by topic then partition. */
export type PartitionAssignment = Map<string, TopicPartition[]>;

export type PartitionAssignor = (
  members: readonly AssignorMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
) => PartitionAssignment;

/** Java's String.compareTo: UTF-16 code units, which is what `<` on JS strings compares. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  return compareStrings(a.topic, b.topic) || a.partition - b.partition;
}

/** Java's MemberInfo order: static members by instance id first, then dynamic members by member id. */
export function compareMembers(a: AssignorMember, b: AssignorMember): number {
  const ai = a.groupInstanceId ?? null;
  const bi = b.groupInstanceId ?? null;
  if (ai !== null && bi !== null) return compareStrings(ai, bi) || compareStrings(a.memberId, b.memberId);
  if (ai !== null) return -1;
  if (bi !== null) return 1;
  return compareStrings(a.memberId, b.memberId);
}

export function topicPartitionKey(tp: TopicPartition): string {
  return `${tp.partition}\u0000${tp.topic}`;
}

/** The partitions of the topics some member subscribes to, sorted; topics without metadata are skipped. */
export function subscribedPartitions(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): TopicPartition[] {
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort(compareStrings);
  const result: TopicPartition[] = [];
  for (const topic of topics) {
    const count = partitionsPerTopic.get(topic);
    if (count === undefined) continue;
    for (let partition = 0; partition < count; partition++) result.push({ topic, partition });
  }
  return result;
}

export function emptyAssignment(members: readonly AssignorMember[]): PartitionAssignment {
  return new Map(members.map((m) => [m.memberId, []]));
}

export function sortAssignment(assignment: PartitionAssignment): PartitionAssignment {
  for (const list of assignment.values()) list.sort(compareTopicPartitions);
  return assignment;
}

/** The list of a member the assignment was created with. */
export function partitionsOf(assignment: PartitionAssignment, memberId: string): TopicPartition[] {
  const list = assignment.get(memberId);
  if (!list) throw new Error(`member ${JSON.stringify(memberId)} is not in the assignment`);
  return list;
}
