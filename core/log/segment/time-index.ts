/** Size of one `.timeindex` entry: i64 timestamp, i32 offset relative to the segment base. */
export const TIME_INDEX_ENTRY_SIZE = 12;

/**
 * A segment's sparse time index. Entry i says: the largest timestamp among records up to and
 * including offset `baseOffset + relativeOffsets[i]` is `timestamps[i]`.
 */
export class TimeIndex {
  constructor(
    readonly baseOffset: number,
    private readonly timestamps: Float64Array,
    private readonly relativeOffsets: Int32Array,
  ) {}

  get entryCount(): number {
    return this.timestamps.length;
  }

  entry(i: number): { timestamp: number; offset: number } {
    return { timestamp: this.timestamps[i]!, offset: this.baseOffset + this.relativeOffsets[i]! };
  }

  /** The largest timestamp the index knows, or -1. */
  get lastTimestamp(): number {
    return this.entryCount ? this.timestamps[this.entryCount - 1]! : -1;
  }

  /** The offset to start scanning from for the first record with timestamp >= target. */
  floorOffset(target: number): number {
    let lo = 0;
    let hi = this.timestamps.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid]! <= target) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? this.baseOffset : this.baseOffset + this.relativeOffsets[found]!;
  }

  toBuffer(): Buffer {
    const buf = Buffer.allocUnsafe(this.entryCount * TIME_INDEX_ENTRY_SIZE);
    for (let i = 0; i < this.entryCount; i++) {
      buf.writeBigInt64BE(BigInt(this.timestamps[i]!), i * TIME_INDEX_ENTRY_SIZE);
      buf.writeInt32BE(this.relativeOffsets[i]!, i * TIME_INDEX_ENTRY_SIZE + 8);
    }
    return buf;
  }

  /** Reads a `.timeindex` file, with the same trust rules as OffsetIndex.parse. */
  static parse(bytes: Buffer, baseOffset: number): TimeIndex | { problem: string } {
    if (bytes.length % TIME_INDEX_ENTRY_SIZE !== 0) {
      return { problem: `size ${bytes.length} is not a multiple of ${TIME_INDEX_ENTRY_SIZE}` };
    }
    const max = bytes.length / TIME_INDEX_ENTRY_SIZE;
    const ts: number[] = [];
    const rel: number[] = [];
    for (let i = 0; i < max; i++) {
      const t = Number(bytes.readBigInt64BE(i * TIME_INDEX_ENTRY_SIZE));
      const r = bytes.readInt32BE(i * TIME_INDEX_ENTRY_SIZE + 8);
      if (i > 0 && t === 0 && r === 0) break;
      if (i > 0 && t <= ts[i - 1]!) return { problem: `entry ${i} has timestamp ${t}, not above the previous entry` };
      if (r < 0 || (i > 0 && r < rel[i - 1]!)) return { problem: `entry ${i} has relative offset ${r}, below the previous entry` };
      ts.push(t);
      rel.push(r);
    }
    return new TimeIndex(baseOffset, Float64Array.from(ts), Int32Array.from(rel));
  }
}
