/**
 * The murmur2 hash of the Java Kafka client (Utils.murmur2), so tapedeck puts a key in the same
 * partition a Java producer would. All arithmetic is mod 2^32; blocks are read little-endian.
 */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const blocks = length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const j = i * 4;
    let k = data[j]! | (data[j + 1]! << 8) | (data[j + 2]! << 16) | (data[j + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = blocks * 4;
  const left = length & 3;
  if (left === 3) h ^= data[tail + 2]! << 16;
  if (left >= 2) h ^= data[tail + 1]! << 8;
  if (left >= 1) h = Math.imul(h ^ data[tail]!, m);
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The Java client's partition for a non-null key: toPositive(murmur2(key)) % partitions (not Math.abs). */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  return (murmur2(key) & 0x7fffffff) % partitionCount;
}
