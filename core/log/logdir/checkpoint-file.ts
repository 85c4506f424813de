import { LogFormatError } from '../errors';

/** One line of an offset checkpoint file: `topic partition offset`. */
export interface CheckpointEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * Parses Kafka's checkpoint text format: a version line (0), an entry count, then one entry per line
 * with whitespace-separated fields. `fieldCount` is 3 for offset checkpoints (topic partition
 * offset) and 2 for `leader-epoch-checkpoint` (epoch startOffset). An empty file (Kafka leaves a
 * 0-byte `cleaner-offset-checkpoint`) has no entries. Errors name the file and line.
 */
export function parseCheckpointLines(text: string, file: string, fieldCount: number): string[][] {
  if (text.trim() === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const fail = (line: number, reason: string) => new LogFormatError({ file, position: offsetOfLine(text, line) }, `line ${line + 1}: ${reason}`);
  if (lines[0]?.trim() !== '0') throw fail(0, `unsupported checkpoint version '${lines[0]}', expected 0`);
  const count = Number(lines[1]?.trim());
  if (!Number.isInteger(count) || count < 0) throw fail(1, `entry count '${lines[1]}' is not a number`);
  if (lines.length - 2 !== count) throw fail(1, `says ${count} entries but ${lines.length - 2} follow`);
  return lines.slice(2).map((line, i) => {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== fieldCount) throw fail(i + 2, `expected ${fieldCount} fields, found ${fields.length}: '${line}'`);
    return fields;
  });
}

export function parseOffsetCheckpoint(text: string, file: string): CheckpointEntry[] {
  return parseCheckpointLines(text, file, 3).map(([topic, partition, offset], i) => {
    const p = Number(partition);
    const o = Number(offset);
    if (!Number.isInteger(p) || !Number.isSafeInteger(o)) {
      throw new LogFormatError({ file, position: offsetOfLine(text, i + 2) }, `line ${i + 3}: partition and offset must be integers`);
    }
    return { topic: topic!, partition: p, offset: o };
  });
}

export function parseLeaderEpochCheckpoint(text: string, file: string): { epoch: number; startOffset: number }[] {
  return parseCheckpointLines(text, file, 2).map(([epoch, startOffset]) => ({ epoch: Number(epoch), startOffset: Number(startOffset) }));
}

function offsetOfLine(text: string, line: number): number {
  let pos = 0;
  for (let i = 0; i < line && pos >= 0; i++) pos = text.indexOf('\n', pos) + 1;
  return Math.max(pos, 0);
}
