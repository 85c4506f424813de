/**
 * Per-topic configuration, with Kafka's names and defaults (reference: kafka-format.md 4.1), so a
 * config written for a Kafka topic means the same here.
 *
 * Durability is Kafka's flush policy: `flush.messages=1` fsyncs before every append is
 * acknowledged; `flush.ms=N` fsyncs on an N ms interval; leaving both unset hands the data to the
 * OS page cache, as Kafka does by default.
 */
export interface TopicConfig {
  readonly 'cleanup.policy': 'delete' | 'compact' | 'compact,delete';
  readonly 'segment.bytes': number;
  readonly 'segment.ms': number;
  readonly 'segment.index.bytes': number;
  readonly 'index.interval.bytes': number;
  readonly 'retention.ms': number;
  readonly 'retention.bytes': number;
  readonly 'delete.retention.ms': number;
  readonly 'min.compaction.lag.ms': number;
  readonly 'max.message.bytes': number;
  readonly 'message.timestamp.type': 'CreateTime' | 'LogAppendTime';
  readonly 'flush.messages': number;
  readonly 'flush.ms': number;
}

const NEVER = Number.MAX_SAFE_INTEGER;

export const DEFAULT_TOPIC_CONFIG: TopicConfig = {
  'cleanup.policy': 'delete',
  'segment.bytes': 1024 * 1024 * 1024,
  'segment.ms': 7 * 24 * 3600 * 1000,
  'segment.index.bytes': 10 * 1024 * 1024,
  'index.interval.bytes': 4096,
  'retention.ms': 7 * 24 * 3600 * 1000,
  'retention.bytes': -1,
  'delete.retention.ms': 24 * 3600 * 1000,
  'min.compaction.lag.ms': 0,
  'max.message.bytes': 1048588,
  'message.timestamp.type': 'CreateTime',
  'flush.messages': NEVER,
  'flush.ms': NEVER,
};

/** What Kafka uses for its own offsets topic: compacted, 100 MiB segments. */
export const OFFSETS_TOPIC_CONFIG: Partial<TopicConfig> = { 'cleanup.policy': 'compact', 'segment.bytes': 100 * 1024 * 1024 };

export class TopicConfigError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`config ${key}: ${reason}`);
    this.name = 'TopicConfigError';
  }
}

type Validator = (value: string, key: string) => string | number;

function integer(min: number): Validator {
  return (value, key) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new TopicConfigError(key, `'${value}' is not an integer`);
    if (n < min) throw new TopicConfigError(key, `${n} is below the minimum ${min}`);
    return n;
  };
}

function oneOf<T extends string>(...allowed: T[]): Validator {
  return (value, key) => {
    const normalized = value.split(',').map((s) => s.trim()).sort().join(',');
    if (!allowed.includes(normalized as T)) throw new TopicConfigError(key, `'${value}' is not one of ${allowed.join(' | ')}`);
    return normalized as T;
  };
}

const VALIDATORS: Record<keyof TopicConfig, Validator> = {
  'cleanup.policy': oneOf('delete', 'compact', 'compact,delete'),
  'segment.bytes': integer(14),
  'segment.ms': integer(1),
  'segment.index.bytes': integer(8),
  'index.interval.bytes': integer(0),
  'retention.ms': integer(-1),
  'retention.bytes': integer(-1),
  'delete.retention.ms': integer(0),
  'min.compaction.lag.ms': integer(0),
  'max.message.bytes': integer(0),
  'message.timestamp.type': oneOf('CreateTime', 'LogAppendTime'),
  'flush.messages': integer(1),
  'flush.ms': integer(0),
};

export function isTopicConfigKey(key: string): key is keyof TopicConfig {
  return key in VALIDATORS;
}

/** Validates `key=value` overrides (as given on a command line or by a Kafka client) over the defaults. */
export function parseTopicConfig(overrides: Readonly<Record<string, string | number>>, base: TopicConfig = DEFAULT_TOPIC_CONFIG): TopicConfig {
  const config: Record<string, unknown> = { ...base };
  for (const [key, raw] of Object.entries(overrides)) {
    if (!isTopicConfigKey(key)) throw new TopicConfigError(key, `unknown config; known: ${Object.keys(VALIDATORS).join(', ')}`);
    config[key] = VALIDATORS[key](String(raw), key);
  }
  return config as unknown as TopicConfig;
}

/** The defaults a topic starts from: Kafka's, except for the offsets topic, which Kafka compacts. */
export function defaultsFor(topic: string): TopicConfig {
  return topic === '__consumer_offsets' ? { ...DEFAULT_TOPIC_CONFIG, ...OFFSETS_TOPIC_CONFIG } : DEFAULT_TOPIC_CONFIG;
}

/** The overrides that differ from `base`, for storing a topic's config compactly. */
export function configOverrides(config: TopicConfig, base: TopicConfig = DEFAULT_TOPIC_CONFIG): Record<string, string | number> {
  return Object.fromEntries(Object.entries(config).filter(([key, value]) => base[key as keyof TopicConfig] !== value));
}

export function compacts(config: TopicConfig): boolean {
  return config['cleanup.policy'].includes('compact');
}

export function deletes(config: TopicConfig): boolean {
  return config['cleanup.policy'].includes('delete');
}
