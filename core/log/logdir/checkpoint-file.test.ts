import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, formatError } from '../log-fixtures.test-support';
import { parseCheckpointLines, parseLeaderEpochCheckpoint, parseOffsetCheckpoint } from './checkpoint-file';

const FILE = '/logs/recovery-point-offset-checkpoint';

describe('offset checkpoints', () => {
  it('reads the fixtures: kafka-0.11 recovery points and the kafka-3.7 cleaner checkpoint', () => {
    const recovery = fixturePath('kafka-0.11/recovery-point-offset-checkpoint');
    expect(parseOffsetCheckpoint(readFileSync(recovery, 'utf8'), recovery)).toEqual([
      { topic: 'test0', partition: 1, offset: 11 },
      { topic: 'test0', partition: 0, offset: 11 },
      { topic: 'mac_test', partition: 0, offset: 78 },
      { topic: 'test0', partition: 2, offset: 11 },
    ]);
    const cleaner = fixturePath('kafka-3.7-kraft/cleaner-offset-checkpoint');
    expect(parseOffsetCheckpoint(readFileSync(cleaner, 'utf8'), cleaner)).toEqual([
      { topic: '__consumer_offsets', partition: 31, offset: 3 },
      { topic: '__consumer_offsets', partition: 44, offset: 9 },
    ]);
    const replication = fixturePath('kafka-3.7-kraft/replication-offset-checkpoint');
    const entries = parseOffsetCheckpoint(readFileSync(replication, 'utf8'), replication);
    expect(entries).toHaveLength(51);
    expect(entries).toContainEqual({ topic: 'topic_transactions', partition: 0, offset: 5 });
  });

  it('a 0-byte file (kafka-keyed/cleaner-offset-checkpoint) and "0\\n0\\n" are empty', () => {
    const empty = fixturePath('kafka-keyed/cleaner-offset-checkpoint');
    expect(readFileSync(empty)).toHaveLength(0);
    expect(parseOffsetCheckpoint(readFileSync(empty, 'utf8'), empty)).toEqual([]);
    const logStart = fixturePath('kafka-keyed/log-start-offset-checkpoint');
    expect(parseOffsetCheckpoint(readFileSync(logStart, 'utf8'), logStart)).toEqual([]);
  });

  it('splits fields on any whitespace and accepts a missing final newline', () => {
    expect(parseOffsetCheckpoint('0\n2\nmy-topic  3\t40\nother 0 7', FILE)).toEqual([
      { topic: 'my-topic', partition: 3, offset: 40 },
      { topic: 'other', partition: 0, offset: 7 },
    ]);
  });

  it('an unknown version is an error on line 1', () => {
    const error = formatError(() => parseOffsetCheckpoint('1\n0\n', FILE));
    expect(error.file).toBe(FILE);
    expect(error.position).toBe(0);
    expect(error.reason).toMatch(/^line 1: .*version/);
  });

  it('a count that disagrees with the entries is an error on line 2', () => {
    for (const text of ['0\n3\na 0 1\nb 0 2\n', '0\n1\na 0 1\nb 0 2\n']) {
      const error = formatError(() => parseOffsetCheckpoint(text, FILE));
      expect(error.position).toBe(2);
      expect(error.reason).toMatch(/^line 2: /);
    }
    expect(formatError(() => parseOffsetCheckpoint('0\nmany\n', FILE)).reason).toMatch(/^line 2: .*not a number/);
  });

  it('a malformed entry is an error naming its line and byte', () => {
    const text = '0\n2\na 0 1\nb zero 2\n';
    const error = formatError(() => parseOffsetCheckpoint(text, FILE));
    expect(error.reason).toMatch(/^line 4: /);
    expect(error.position).toBe(text.indexOf('b zero'));
    const fields = formatError(() => parseOffsetCheckpoint('0\n1\na 0\n', FILE));
    expect(fields.reason).toMatch(/^line 3: expected 3 fields, found 2/);
    expect(fields.position).toBe(4);
  });
});

describe('leader-epoch checkpoints', () => {
  it('reads __consumer_offsets-31: epochs 0, 2 and 10', () => {
    const file = fixturePath('kafka-3.7-kraft/__consumer_offsets-31/leader-epoch-checkpoint');
    expect(parseLeaderEpochCheckpoint(readFileSync(file, 'utf8'), file)).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 2, startOffset: 3 },
      { epoch: 10, startOffset: 4 },
    ]);
  });

  it('reads a checkpoint with zero entries (kafka-0.11/mac_test-0)', () => {
    const file = fixturePath('kafka-0.11/mac_test-0/leader-epoch-checkpoint');
    expect(parseLeaderEpochCheckpoint(readFileSync(file, 'utf8'), file)).toEqual([]);
  });

  it('needs exactly two fields per entry', () => {
    expect(formatError(() => parseCheckpointLines('0\n1\n0 0 0\n', 'leader-epoch-checkpoint', 2)).reason).toMatch(/line 3/);
  });
});
