import { partitionForKey } from '../partitioner/murmur2';

/** The Java client's default batch.size: the sticky partitioner switches after this many bytes. */
const STICKY_BATCH_BYTES = 16384;

/**
 * The Java client's default partitioner (3.3+): a keyed record goes to murmur2(key) mod partitions;
 * records without a key stick to one partition until about batch.size bytes went there, then
 * move to another, so keyless data spreads across partitions in batches.
 */
export class DefaultPartitioner {
  private sticky = new Map<string, { partition: number; bytes: number }>();

  partition(topic: string, key: Uint8Array | null, valueSize: number, partitionCount: number): number {
    if (key !== null) return partitionForKey(key, partitionCount);
    let state = this.sticky.get(topic);
    if (!state || state.bytes >= STICKY_BATCH_BYTES || state.partition >= partitionCount) {
      const previous = state?.partition ?? -1;
      let next = Math.floor(Math.random() * partitionCount);
      if (partitionCount > 1 && next === previous) next = (next + 1) % partitionCount;
      state = { partition: next, bytes: 0 };
      this.sticky.set(topic, state);
    }
    state.bytes += valueSize;
    return state.partition;
  }
}
