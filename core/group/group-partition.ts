/**
 * Which `__consumer_offsets` partition holds a group: the group coordinator's
 * `abs(group.hashCode()) % offsets.topic.num.partitions`, with Java's hash and Kafka's abs.
 */

/** The default of `offsets.topic.num.partitions`. */
export const DEFAULT_OFFSETS_PARTITION_COUNT = 50;

/** Java's String.hashCode: over UTF-16 code units (as charCodeAt gives), wrapping at 32 bits. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

export function offsetsPartitionFor(group: string, partitionCount = DEFAULT_OFFSETS_PARTITION_COUNT): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new RangeError(`partition count must be a positive integer, got ${partitionCount}`);
  }
  const h = javaStringHashCode(group);
  // Kafka's Utils.abs maps Integer.MIN_VALUE to 0, where Java's Math.abs would leave it negative.
  const abs = h === -0x80000000 ? 0 : Math.abs(h);
  return abs % partitionCount;
}
