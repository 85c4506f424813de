import { LogEngine } from '../../../core/log/engine/log-engine';
import type { LineOutput } from '../output';

/** Parses repeated `--config key=value` options. */
export function parseConfigPairs(pairs: readonly string[]): Record<string, string> {
  const config: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--config ${pair}: expected key=value`);
    config[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return config;
}

/** `tapedeck topic create <logdir> <topic>`: a new topic, with the directory created if needed. */
export function topicCreateCommand(logDir: string, topic: string, options: { partitions?: number; config?: string[] }, out: LineOutput): number {
  const engine = LogEngine.open(logDir, { create: true, maintenanceIntervalMs: 0 });
  try {
    const created = engine.createTopic(topic, { partitions: options.partitions ?? 1, config: parseConfigPairs(options.config ?? []) });
    out.line(`Created topic ${created.name} with ${created.partitions} partition${created.partitions === 1 ? '' : 's'} (topic id ${created.topicId}) in ${engine.dir}`);
    return 0;
  } finally {
    engine.close();
  }
}

/** `tapedeck topic delete <logdir> <topic>`: removes the topic and its data. */
export function topicDeleteCommand(logDir: string, topic: string, out: LineOutput): number {
  const engine = LogEngine.open(logDir, { maintenanceIntervalMs: 0 });
  try {
    engine.deleteTopic(topic);
    out.line(`Deleted topic ${topic} from ${engine.dir}`);
    return 0;
  } finally {
    engine.close();
  }
}

/** `tapedeck topic alter <logdir> <topic> --config k=v`: changes a topic's config. */
export function topicAlterCommand(logDir: string, topic: string, options: { config?: string[] }, out: LineOutput): number {
  const pairs = parseConfigPairs(options.config ?? []);
  if (Object.keys(pairs).length === 0) throw new Error('nothing to change: give at least one --config key=value');
  const engine = LogEngine.open(logDir, { maintenanceIntervalMs: 0 });
  try {
    engine.alterTopicConfig(topic, pairs);
    out.line(`Updated ${topic}: ${Object.entries(pairs).map(([k, v]) => `${k}=${v}`).join(', ')}`);
    return 0;
  } finally {
    engine.close();
  }
}
