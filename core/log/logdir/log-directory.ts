import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LogFormatError, type LogWarning } from '../errors';
import { PartitionLog } from '../partition/partition-log';
import type { ScanOptions } from '../segment/batch-scanner';
import { type CheckpointEntry, parseOffsetCheckpoint } from './checkpoint-file';
import { type MetaProperties, parseMetaProperties } from './meta-properties';
import { isInternalTopic, parsePartitionDirName } from './partition-dir-name';

export interface TopicView {
  readonly name: string;
  readonly internal: boolean;
  readonly partitions: readonly PartitionLog[];
}

/** Root checkpoint files, keyed `topic-partition`. Missing files are empty maps. */
export interface RootCheckpoints {
  readonly recoveryPoint: ReadonlyMap<string, number>;
  readonly logStart: ReadonlyMap<string, number>;
  readonly replication: ReadonlyMap<string, number>;
  readonly cleaner: ReadonlyMap<string, number>;
}

export interface OpenOptions {
  readonly verifyChecksums?: boolean;
  /** Called for each warning as it happens, besides collecting it in `warnings`. */
  readonly onWarning?: (warning: LogWarning) => void;
}

const CHECKPOINT_FILES = {
  recoveryPoint: 'recovery-point-offset-checkpoint',
  logStart: 'log-start-offset-checkpoint',
  replication: 'replication-offset-checkpoint',
  cleaner: 'cleaner-offset-checkpoint',
} as const;

/**
 * A Kafka log directory, opened read-only: the partitions it holds, the broker's
 * `meta.properties`, and the checkpoint files. Everything a broker leaves that is not a partition
 * (checkpoints, lock, `-delete`/`-future`/`-stray` folders, tapedeck's own `.tapedeck/`) is skipped.
 * Problems that do not stop reading (a bad checkpoint, an untrusted index, a torn tail) are
 * collected as warnings.
 */
export class LogDirectory {
  readonly warnings: LogWarning[] = [];
  readonly meta: MetaProperties | undefined;
  readonly checkpoints: RootCheckpoints;
  /** Whether the broker that wrote this directory shut down cleanly (`.kafka_cleanshutdown`). */
  readonly cleanShutdown: boolean;
  readonly partitions: readonly PartitionLog[];
  private readonly report: (warning: LogWarning) => void;

  private constructor(readonly path: string, options: OpenOptions) {
    this.report = (w) => {
      this.warnings.push(w);
      options.onWarning?.(w);
    };
    const scan: ScanOptions = { verifyChecksums: options.verifyChecksums ?? true, onWarning: this.report };
    const metaPath = join(this.path, 'meta.properties');
    this.meta = existsSync(metaPath) ? parseMetaProperties(readFileSync(metaPath, 'utf8')) : undefined;
    this.cleanShutdown = existsSync(join(this.path, '.kafka_cleanshutdown'));
    this.checkpoints = {
      recoveryPoint: this.readCheckpoint(CHECKPOINT_FILES.recoveryPoint),
      logStart: this.readCheckpoint(CHECKPOINT_FILES.logStart),
      replication: this.readCheckpoint(CHECKPOINT_FILES.replication),
      cleaner: this.readCheckpoint(CHECKPOINT_FILES.cleaner),
    };
    this.partitions = readdirSync(this.path, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => ({ entry, parsed: parsePartitionDirName(entry.name) }))
      .filter((x): x is { entry: typeof x.entry; parsed: NonNullable<typeof x.parsed> } => x.parsed !== undefined)
      .map(({ entry, parsed }) => {
        const logStartOffsetCheckpoint = this.checkpoints.logStart.get(entry.name);
        return new PartitionLog(join(this.path, entry.name), parsed.topic, parsed.partition, { ...scan, logStartOffsetCheckpoint });
      })
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  /** Opens a log directory; throws when the path is not a readable directory. */
  static open(dir: string, options: OpenOptions = {}): LogDirectory {
    if (!existsSync(dir)) throw new Error(`${dir}: no such directory`);
    if (!statSync(dir).isDirectory()) throw new Error(`${dir}: not a directory`);
    return new LogDirectory(resolve(dir), options);
  }

  topics(): TopicView[] {
    const byName = new Map<string, PartitionLog[]>();
    for (const partition of this.partitions) {
      const list = byName.get(partition.topic) ?? [];
      list.push(partition);
      byName.set(partition.topic, list);
    }
    return [...byName].map(([name, partitions]) => ({ name, internal: isInternalTopic(name), partitions }));
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.partitions.find((p) => p.topic === topic && p.partition === partition);
  }

  close(): void {
    for (const partition of this.partitions) partition.close();
  }

  private readCheckpoint(name: string): Map<string, number> {
    const file = join(this.path, name);
    if (!existsSync(file)) return new Map();
    try {
      const entries: CheckpointEntry[] = parseOffsetCheckpoint(readFileSync(file, 'utf8'), file);
      return new Map(entries.map((e) => [`${e.topic}-${e.partition}`, e.offset]));
    } catch (error) {
      if (!(error instanceof LogFormatError)) throw error;
      this.report({ file, position: error.position, message: `${error.reason}; checkpoint ignored` });
      return new Map();
    }
  }
}
