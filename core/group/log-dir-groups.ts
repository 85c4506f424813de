import type { LogDirectory } from '../log/logdir/log-directory';
import { type CommittedOffset, CommittedOffsetsProjection, type ConsumerGroupState, type OffsetsProjectionWarning } from './committed-offsets';

export const OFFSETS_TOPIC = '__consumer_offsets';

export interface OffsetWithLag extends CommittedOffset {
  /** The partition's log end offset, or null when the partition is not in this directory. */
  readonly logEndOffset: number | null;
  /** How many records the group has yet to read; null when the log end is unknown. */
  readonly lag: number | null;
}

export interface ConsumerGroupWithLag extends Omit<ConsumerGroupState, 'offsets'> {
  readonly offsets: readonly OffsetWithLag[];
  /** Sum of the known lags. */
  readonly totalLag: number;
}

/**
 * The consumer groups of a log directory: `__consumer_offsets` folded in offset order (each group
 * lives in one partition of it), with lag against the partitions the directory holds.
 */
export function readConsumerGroups(dir: LogDirectory): { groups: ConsumerGroupWithLag[]; warnings: OffsetsProjectionWarning[] } {
  const projection = new CommittedOffsetsProjection();
  for (const partition of dir.partitions.filter((p) => p.topic === OFFSETS_TOPIC)) {
    for (const { record } of partition.records({ fromOffset: 0 })) {
      projection.apply({ offset: record.offset, key: record.key, value: record.value, timestamp: record.timestamp }, partition.dir);
    }
  }
  const logEnd = new Map<string, number>();
  const endOf = (topic: string, p: number): number | null => {
    const key = `${topic}-${p}`;
    if (!logEnd.has(key)) {
      const partition = dir.partition(topic, p);
      if (!partition) return null;
      logEnd.set(key, partition.nextOffset());
    }
    return logEnd.get(key)!;
  };
  const groups = projection.groups().map((group) => {
    const offsets = group.offsets.map((o) => {
      const logEndOffset = endOf(o.topic, o.partition);
      return { ...o, logEndOffset, lag: logEndOffset === null ? null : Math.max(0, logEndOffset - o.offset) };
    });
    return { ...group, offsets, totalLag: offsets.reduce((sum, o) => sum + (o.lag ?? 0), 0) };
  });
  return { groups, warnings: projection.warnings() };
}
