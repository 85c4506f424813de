/**
 * Version ranges as Kafka's message definitions write them: "3+" (from 3 on), [0, 12] (inclusive)
 * or "none". Parsed once when a schema table is built, so the walkers only compare numbers.
 */
export type Versions = `${number}+` | readonly [number, number] | 'none';

export interface VersionRange {
  readonly min: number;
  /** Infinity for an open range. */
  readonly max: number;
}

export const NO_VERSIONS: VersionRange = { min: 0, max: -1 };

export function versionRange(versions: Versions): VersionRange {
  if (versions === 'none') return NO_VERSIONS;
  if (typeof versions === 'string') {
    const min = Number(versions.slice(0, -1));
    if (!Number.isInteger(min) || min < 0) throw new Error(`bad version range "${versions}"`);
    return { min, max: Infinity };
  }
  const [min, max] = versions;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) throw new Error(`bad version range [${min}, ${max}]`);
  return { min, max };
}

export function inRange(range: VersionRange, version: number): boolean {
  return version >= range.min && version <= range.max;
}

/** "3+", "0-12", "5" or "none", for messages. */
export function formatRange(range: VersionRange): string {
  if (range.max < range.min) return 'none';
  if (range.max === Infinity) return `${range.min}+`;
  return range.min === range.max ? `${range.min}` : `${range.min}-${range.max}`;
}

/** True when every version of `inner` is in `outer`. */
export function isSubrange(inner: VersionRange, outer: VersionRange): boolean {
  return inner.max < inner.min || (inner.min >= outer.min && inner.max <= outer.max);
}
