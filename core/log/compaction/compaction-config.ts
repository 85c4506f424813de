/**
 * The topic settings the log cleaner reads (reference: kafka-format.md sections 4.1 and 4.3).
 * Defaults are Kafka's, so a directory copied off a broker compacts as the broker would have.
 */
export interface CompactionConfig {
  /** `delete.retention.ms`: how long a tombstone (or an empty transaction's marker) outlives its first cleaning. */
  readonly deleteRetentionMs: number;
  /** `min.compaction.lag.ms`: a segment holding a record newer than this is not cleaned yet. */
  readonly minCompactionLagMs: number;
  /** `index.interval.bytes`: spacing of the index entries written for cleaned segments. */
  readonly indexIntervalBytes: number;
  /** `segment.bytes`: adjacent segments are merged while their total stays within this. */
  readonly maxSegmentBytes: number;
}

export const DEFAULT_COMPACTION_CONFIG: CompactionConfig = Object.freeze({
  deleteRetentionMs: 86_400_000,
  minCompactionLagMs: 0,
  indexIntervalBytes: 4096,
  maxSegmentBytes: 1024 * 1024 * 1024,
});

/** Kafka's name for each setting, so errors speak the language of topic configs. */
const KAFKA_NAMES: Record<keyof CompactionConfig, string> = {
  deleteRetentionMs: 'delete.retention.ms',
  minCompactionLagMs: 'min.compaction.lag.ms',
  indexIntervalBytes: 'index.interval.bytes',
  maxSegmentBytes: 'segment.bytes',
};

/** Kafka's lower bounds: segment.bytes must hold at least one batch header, index.interval.bytes may be 0. */
const MINIMUMS: Record<keyof CompactionConfig, number> = {
  deleteRetentionMs: 0,
  minCompactionLagMs: 0,
  indexIntervalBytes: 0,
  maxSegmentBytes: 14,
};

/** The defaults with `overrides` applied; throws a RangeError naming the setting when a value is out of range. */
export function compactionConfig(overrides: Partial<CompactionConfig> = {}): CompactionConfig {
  const config: CompactionConfig = { ...DEFAULT_COMPACTION_CONFIG, ...withoutUndefined(overrides) };
  for (const key of Object.keys(KAFKA_NAMES) as (keyof CompactionConfig)[]) {
    const value = config[key];
    if (!Number.isSafeInteger(value) || value < MINIMUMS[key]) {
      throw new RangeError(`${KAFKA_NAMES[key]} (${key}) must be an integer >= ${MINIMUMS[key]}, got ${value}`);
    }
  }
  // The byte sizes are int32 in Kafka and index positions are int32 on disk.
  if (config.maxSegmentBytes > 0x7fffffff) throw new RangeError(`segment.bytes (maxSegmentBytes) must fit in 32 bits, got ${config.maxSegmentBytes}`);
  if (config.indexIntervalBytes > 0x7fffffff) {
    throw new RangeError(`index.interval.bytes (indexIntervalBytes) must fit in 32 bits, got ${config.indexIntervalBytes}`);
  }
  return Object.freeze(config);
}

/**
 * The compaction settings from a topic's Kafka-named properties (`delete.retention.ms`,
 * `min.compaction.lag.ms`, `index.interval.bytes`, `segment.bytes`); others are ignored and
 * missing ones take the defaults.
 */
export function compactionConfigFromTopic(properties: Readonly<Record<string, string | number | undefined>>): CompactionConfig {
  const overrides: Partial<Record<keyof CompactionConfig, number>> = {};
  for (const [key, name] of Object.entries(KAFKA_NAMES) as [keyof CompactionConfig, string][]) {
    const raw = properties[name];
    if (raw === undefined) continue;
    const value = typeof raw === 'number' ? raw : Number(raw.trim());
    if (typeof raw === 'string' && (raw.trim() === '' || !Number.isFinite(value))) {
      throw new RangeError(`${name} must be a number, got '${raw}'`);
    }
    overrides[key] = value;
  }
  return compactionConfig(overrides);
}

function withoutUndefined(overrides: Partial<CompactionConfig>): Partial<CompactionConfig> {
  return Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) as Partial<CompactionConfig>;
}
