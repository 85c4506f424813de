/** Size of one `.index` entry: i32 offset relative to the segment base, i32 byte position. */
export const OFFSET_INDEX_ENTRY_SIZE = 8;

/**
 * A segment's sparse offset index. Entry i says: the batch starting at `positions[i]` ends at
 * offset `baseOffset + relativeOffsets[i]`. Built from a `.index` file (see parse) or rebuilt from
 * the log in memory.
 */
export class OffsetIndex {
  constructor(
    readonly baseOffset: number,
    private readonly relativeOffsets: Int32Array,
    private readonly positions: Int32Array,
  ) {}

  get entryCount(): number {
    return this.relativeOffsets.length;
  }

  entry(i: number): { offset: number; position: number } {
    return { offset: this.baseOffset + this.relativeOffsets[i]!, position: this.positions[i]! };
  }

  /** The greatest entry whose offset is <= target, else the segment start: where to start scanning. */
  floor(target: number): { offset: number; position: number } {
    const rel = target - this.baseOffset;
    let lo = 0;
    let hi = this.relativeOffsets.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relativeOffsets[mid]! <= rel) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(found);
  }

  /** The bytes of a `.index` file holding these entries. */
  toBuffer(): Buffer {
    const buf = Buffer.allocUnsafe(this.entryCount * OFFSET_INDEX_ENTRY_SIZE);
    for (let i = 0; i < this.entryCount; i++) {
      buf.writeInt32BE(this.relativeOffsets[i]!, i * OFFSET_INDEX_ENTRY_SIZE);
      buf.writeInt32BE(this.positions[i]!, i * OFFSET_INDEX_ENTRY_SIZE + 4);
    }
    return buf;
  }

  /**
   * Reads a `.index` file. Trailing all-zero entries are preallocated space (an active segment, or
   * a broker that stopped uncleanly) and end the index. Returns a problem instead of an index when
   * the file cannot be trusted: wrong size, offsets not increasing, positions past the log.
   */
  static parse(bytes: Buffer, baseOffset: number, logSize: number): OffsetIndex | { problem: string } {
    if (bytes.length % OFFSET_INDEX_ENTRY_SIZE !== 0) {
      return { problem: `size ${bytes.length} is not a multiple of ${OFFSET_INDEX_ENTRY_SIZE}` };
    }
    const max = bytes.length / OFFSET_INDEX_ENTRY_SIZE;
    const rel: number[] = [];
    const pos: number[] = [];
    for (let i = 0; i < max; i++) {
      const r = bytes.readInt32BE(i * OFFSET_INDEX_ENTRY_SIZE);
      const p = bytes.readInt32BE(i * OFFSET_INDEX_ENTRY_SIZE + 4);
      if (i > 0 && r === 0 && p === 0) break;
      if (r < 0 || (i > 0 && r <= rel[i - 1]!)) return { problem: `entry ${i} has relative offset ${r}, not above the previous entry` };
      if (p < 0 || p >= logSize || (i > 0 && p <= pos[i - 1]!)) return { problem: `entry ${i} points at byte ${p}, outside the ${logSize}-byte log or not after the previous entry` };
      rel.push(r);
      pos.push(p);
    }
    return new OffsetIndex(baseOffset, Int32Array.from(rel), Int32Array.from(pos));
  }
}
