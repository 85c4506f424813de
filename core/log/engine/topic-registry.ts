import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './durable-file';
import { configOverrides, defaultsFor, parseTopicConfig, type TopicConfig } from './topic-config';

export interface TopicRecord {
  readonly name: string;
  readonly topicId: string | undefined;
  readonly partitions: number;
  readonly config: TopicConfig;
  /**
   * Whether tapedeck manages this topic (it created it, or the user gave it settings). Retention
   * and compaction only touch managed topics: data found in a directory copied off a broker is
   * never deleted or rewritten unless the user asks for it by setting the topic's config.
   */
  readonly managed: boolean;
}

interface StoredTopic {
  readonly name: string;
  readonly topicId?: string;
  readonly partitions: number;
  readonly config: Record<string, string | number>;
}

/**
 * Topic settings kept beside the data, as plain files (`<logdir>/.tapedeck/topics/<name>.json`):
 * Kafka keeps them in its metadata log, which a copied directory may not have. A topic found on
 * disk without a file gets Kafka's defaults (compaction for `__consumer_offsets`).
 */
export class TopicRegistry {
  private readonly dir: string;

  constructor(logDir: string) {
    this.dir = path.join(logDir, '.tapedeck', 'topics');
  }

  load(name: string, partitionsOnDisk: number, topicIdOnDisk: string | undefined): TopicRecord {
    const file = this.fileOf(name);
    const defaults = defaultsFor(name);
    if (!existsSync(file)) return { name, topicId: topicIdOnDisk, partitions: partitionsOnDisk, config: defaults, managed: false };
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as StoredTopic;
      if (typeof stored !== 'object' || stored === null || !Number.isInteger(stored.partitions)) throw new Error('expected an object with name, partitions and config');
      return { name, topicId: stored.topicId ?? topicIdOnDisk, partitions: Math.max(stored.partitions, partitionsOnDisk), config: parseTopicConfig(stored.config ?? {}, defaults), managed: true };
    } catch (error) {
      throw new Error(`${file}: topic settings cannot be read (${(error as Error).message}); fix or delete the file (the topic then gets Kafka's defaults)`, { cause: error });
    }
  }

  save(topic: TopicRecord): void {
    mkdirSync(this.dir, { recursive: true });
    const stored: StoredTopic = { name: topic.name, topicId: topic.topicId, partitions: topic.partitions, config: configOverrides(topic.config, defaultsFor(topic.name)) };
    writeFileAtomic(this.fileOf(topic.name), `${JSON.stringify(stored, null, 2)}\n`);
  }

  remove(name: string): void {
    rmSync(this.fileOf(name), { force: true });
  }

  /** Names of topics that have a settings file (a topic may exist before its first partition folder). */
  names(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length));
  }

  private fileOf(name: string): string {
    // Topic names are restricted to [a-zA-Z0-9._-], so they are safe as file names.
    return path.join(this.dir, `${name}.json`);
  }
}
