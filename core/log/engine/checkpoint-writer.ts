import type { CheckpointEntry } from '../logdir/checkpoint-file';
import { writeFileAtomic } from './durable-file';

/** Kafka's checkpoint text: version 0, the entry count, one `topic partition offset` line each. */
export function formatOffsetCheckpoint(entries: readonly CheckpointEntry[]): string {
  const lines = entries.map((e) => `${e.topic} ${e.partition} ${e.offset}`);
  return `0\n${entries.length}\n${lines.map((l) => `${l}\n`).join('')}`;
}

export function writeOffsetCheckpoint(file: string, entries: readonly CheckpointEntry[]): void {
  writeFileAtomic(file, formatOffsetCheckpoint(entries));
}

/** `leader-epoch-checkpoint`: version 0, count, then `epoch startOffset` lines. */
export function writeLeaderEpochCheckpoint(file: string, entries: readonly { epoch: number; startOffset: number }[]): void {
  writeFileAtomic(file, `0\n${entries.length}\n${entries.map((e) => `${e.epoch} ${e.startOffset}\n`).join('')}`);
}
