import { appendFileSync, cpSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../batch/record-batch-encoder';
import { walkRawBatches } from '../log-fixtures.test-support';
import { segmentFileName } from '../segment/log-segment';
import { crash, expectIndexesMatchRebuild, hasCleanShutdownMarker, lockFile, offsetsOf, readAll, rec, recordListing, recs, segmentBases, snapshotBases, useEngines, valuesOf } from './engine.test-support';
import type { LogEngine } from './log-engine';
import { ProducerState } from './producer-state';

const engines = useEngines();
const INTERVAL = 300;

/** A partition of several segments, left as a crash would leave it. Returns what was acknowledged. */
function crashedPartition(options: { batches?: number; segmentBytes?: number; flushFirst?: number } = {}): { dir: string; partitionDir: string; acknowledged: string[]; engine: LogEngine } {
  const engine = engines.fresh();
  engine.createTopic('t', { config: { 'segment.bytes': options.segmentBytes ?? 1500, 'index.interval.bytes': INTERVAL } });
  const acknowledged: string[] = [];
  for (let i = 0; i < (options.batches ?? 60); i++) {
    if (i === options.flushFirst) engine.flush();
    const result = engine.appendRecords('t', 0, recs(1 + (i % 4), `b${i}.`, { size: 25 }));
    for (let o = result.baseOffset; o <= result.lastOffset; o++) acknowledged.push(`${o}:${`b${i}.${o - result.baseOffset}`.padEnd(25, '.')}`);
  }
  crash(engine);
  expect(hasCleanShutdownMarker(engine.dir)).toBe(false);
  return { dir: engine.dir, partitionDir: path.join(engine.dir, 't-0'), acknowledged, engine };
}

function listing(engine: LogEngine): string[] {
  return readAll(engine, 't').map((r) => `${r.record.offset}:${r.record.value!.toString()}`);
}

function logPath(partitionDir: string, base: number): string {
  return path.join(partitionDir, segmentFileName(base, '.log'));
}

describe('a torn last batch', () => {
  it('is cut, reported with its bytes and reason, and every earlier record is intact', () => {
    const { dir, partitionDir, acknowledged } = crashedPartition();
    const bases = segmentBases(partitionDir);
    const active = bases.at(-1)!;
    const batches = walkRawBatches(readFileSync(logPath(partitionDir, active)));
    const last = batches.at(-1)!;
    const size = statSync(logPath(partitionDir, active)).size;
    truncateSync(logPath(partitionDir, active), size - 9);
    const engine = engines.open(dir);
    expect(engine.recovery).toMatchObject([{ partition: 't-0', truncated: [{ segment: active, bytes: last.size - 9, reason: expect.stringMatching(/torn tail/) }], deletedSegments: [] }]);
    expect(statSync(logPath(partitionDir, active)).size).toBe(last.position);
    const lost = last.lastOffset - last.baseOffset + 1;
    expect(listing(engine)).toEqual(acknowledged.slice(0, -lost));
    expect(engine.endOffset('t', 0)).toBe(last.baseOffset);
    expectIndexesMatchRebuild(partitionDir, INTERVAL, { activeSealed: false });
    // Appends carry on where the valid log ends.
    expect(engine.appendRecords('t', 0, [rec('next')]).baseOffset).toBe(last.baseOffset);
    engine.close();
    expectIndexesMatchRebuild(partitionDir, INTERVAL, { activeSealed: true });
    expect(recordListing(dir).warnings).toEqual([]);
  });

  it.each([
    ['a few bytes of a header', 12],
    ['a whole header but not the records', 70],
  ])('is cut when only %s made it to disk', (_what, bytes) => {
    const { dir, partitionDir, acknowledged } = crashedPartition();
    const active = segmentBases(partitionDir).at(-1)!;
    const next = encodeRecordBatch({ baseOffset: 999, records: recs(3, 'never', { size: 40 }) });
    appendFileSync(logPath(partitionDir, active), next.subarray(0, bytes));
    const engine = engines.open(dir);
    expect(engine.recovery).toMatchObject([{ partition: 't-0', truncated: [{ segment: active, bytes, reason: expect.stringMatching(/torn tail/) }], deletedSegments: [] }]);
    expect(listing(engine)).toEqual(acknowledged);
  });

  it('garbage after the last batch is cut at the first byte that is not a batch', () => {
    const { dir, partitionDir, acknowledged } = crashedPartition();
    const active = segmentBases(partitionDir).at(-1)!;
    appendFileSync(logPath(partitionDir, active), Buffer.from('this is not a record batch at all, really not'));
    const engine = engines.open(dir);
    expect(engine.recovery[0]!.truncated).toEqual([{ segment: active, bytes: 45, reason: expect.stringMatching(/impossible batch length|magic/) }]);
    expect(listing(engine)).toEqual(acknowledged);
  });
});

describe('a corrupt batch in a sealed segment past the recovery point', () => {
  it('truncates there, deletes the later segments, and reports both', () => {
    const { dir, partitionDir, acknowledged } = crashedPartition();
    const bases = segmentBases(partitionDir);
    expect(bases.length).toBeGreaterThan(4);
    const victim = bases[2]!;
    const batches = walkRawBatches(readFileSync(logPath(partitionDir, victim)));
    const bad = batches[2]!;
    const bytes = readFileSync(logPath(partitionDir, victim));
    bytes[bad.position + bad.size - 3]! ^= 0x04;
    writeFileSync(logPath(partitionDir, victim), bytes);
    const engine = engines.open(dir);
    expect(engine.recovery).toMatchObject([
      {
        partition: 't-0',
        truncated: [{ segment: victim, bytes: bytes.length - bad.position, reason: expect.stringMatching(/CRC-32C mismatch/) }],
        deletedSegments: bases.slice(3),
      },
    ]);
    expect(segmentBases(partitionDir)).toEqual(bases.slice(0, 3));
    expect(listing(engine)).toEqual(acknowledged.slice(0, bad.baseOffset));
    expect(engine.endOffset('t', 0)).toBe(bad.baseOffset);
    expectIndexesMatchRebuild(partitionDir, INTERVAL, { activeSealed: false });
    expect(engine.appendRecords('t', 0, recs(2, 'again')).baseOffset).toBe(bad.baseOffset);
    engine.close();
    const after = recordListing(dir);
    expect(after.warnings).toEqual([]);
    expect(after.partitions['t-0']).toHaveLength(bad.baseOffset + 2);
    expectIndexesMatchRebuild(partitionDir, INTERVAL, { activeSealed: true });
  });

  it('removes producer snapshots above the recovered log end (Kafka truncateAndReload)', () => {
    const { dir, partitionDir } = crashedPartition();
    const bases = segmentBases(partitionDir);
    const victim = bases[1]!;
    const bytes = readFileSync(logPath(partitionDir, victim));
    bytes[bytes.length - 1]! ^= 0x01;
    writeFileSync(logPath(partitionDir, victim), bytes);
    const engine = engines.open(dir);
    const end = engine.endOffset('t', 0);
    expect(engine.recovery[0]!.deletedSegments).toEqual(bases.slice(2));
    expect(snapshotBases(partitionDir).filter((b) => b > end)).toEqual([]);
  });

  it('is not looked at below the recovery point (those segments were fsynced and checkpointed)', () => {
    const { dir, partitionDir } = crashedPartition({ flushFirst: 40 });
    const checkpoint = readFileSync(path.join(dir, 'recovery-point-offset-checkpoint'), 'utf8');
    const recoveryPoint = Number(/t 0 (\d+)/.exec(checkpoint)![1]);
    const bases = segmentBases(partitionDir);
    const below = bases.filter((b, i) => bases[i + 1] !== undefined && bases[i + 1]! <= recoveryPoint);
    expect(below.length).toBeGreaterThan(1);
    const untouched = Object.fromEntries(below.map((b) => [b, readFileSync(logPath(partitionDir, b)).toString('hex')]));
    const engine = engines.open(dir);
    expect(engine.recovery).toEqual([]);
    for (const b of below) expect(readFileSync(logPath(partitionDir, b)).toString('hex')).toBe(untouched[b]);
  });
});

describe('preallocated and zero-filled files', () => {
  it('handles preallocated, zero-filled index files and a zero-padded .log tail', () => {
    const { dir, partitionDir, acknowledged } = crashedPartition();
    const bases = segmentBases(partitionDir);
    const active = bases.at(-1)!;
    const logSize = statSync(logPath(partitionDir, active)).size;
    // As a broker leaves an active segment: indexes preallocated to segment.index.bytes, zeros after the entries.
    for (const [suffix, entry] of [['.index', 8], ['.timeindex', 12]] as const) {
      const file = path.join(partitionDir, segmentFileName(active, suffix));
      const size = statSync(file).size;
      appendFileSync(file, Buffer.alloc(Math.floor((1 << 20) / entry) * entry - size));
    }
    appendFileSync(logPath(partitionDir, active), Buffer.alloc(4096));
    // And a sealed segment past the recovery point with preallocated indexes, too.
    appendFileSync(path.join(partitionDir, segmentFileName(bases[1]!, '.index')), Buffer.alloc(800));
    appendFileSync(path.join(partitionDir, segmentFileName(bases[1]!, '.timeindex')), Buffer.alloc(1200));
    const engine = engines.open(dir);
    expect(engine.recovery).toMatchObject([{ partition: 't-0', truncated: [{ segment: active, bytes: 4096, reason: expect.stringMatching(/zero bytes/) }], deletedSegments: [] }]);
    expect(statSync(logPath(partitionDir, active)).size).toBe(logSize);
    expect(listing(engine)).toEqual(acknowledged);
    expectIndexesMatchRebuild(partitionDir, INTERVAL, { activeSealed: false });
    const end = engine.endOffset('t', 0);
    expect(engine.appendRecords('t', 0, recs(2, 'z')).baseOffset).toBe(end);
    engine.close();
    expectIndexesMatchRebuild(partitionDir, INTERVAL, { activeSealed: true });
    expect(recordListing(dir).warnings).toEqual([]);
  });

  it('a .log that is all zeros (preallocated, never written) recovers as empty', () => {
    const engine = engines.fresh();
    engine.createTopic('t');
    crash(engine);
    writeFileSync(logPath(path.join(engine.dir, 't-0'), 0), Buffer.alloc(10_000));
    const again = engines.open(engine.dir);
    expect(again.recovery[0]!.truncated).toEqual([{ segment: 0, bytes: 10_000, reason: expect.stringMatching(/zero bytes/) }]);
    expect(again.endOffset('t', 0)).toBe(0);
    expect(again.appendRecords('t', 0, [rec('first')]).baseOffset).toBe(0);
  });
});

describe('after recovery', () => {
  it('rebuilds stale indexes of the active segment (entries past the end of a cut log)', () => {
    const { dir, partitionDir } = crashedPartition({ segmentBytes: 100_000, batches: 80 });
    const active = segmentBases(partitionDir).at(-1)!;
    const batches = walkRawBatches(readFileSync(logPath(partitionDir, active)));
    // Cut the log back to its first half: the index files now point past its end.
    truncateSync(logPath(partitionDir, active), batches[40]!.position);
    expect(statSync(path.join(partitionDir, segmentFileName(active, '.index'))).size).toBeGreaterThan(8);
    const engine = engines.open(dir);
    expect(engine.recovery).toEqual([]);
    expect(engine.endOffset('t', 0)).toBe(batches[40]!.baseOffset);
    expectIndexesMatchRebuild(partitionDir, INTERVAL, { activeSealed: false });
    expect(offsetsOf(readAll(engine, 't')).at(-1)).toBe(batches[39]!.lastOffset);
  });

  it('keeps producer state: the next roll snapshots the sequences written before the crash', () => {
    const engine = engines.fresh();
    engine.createTopic('t', { config: { 'segment.bytes': 100_000 } });
    let sequence = 0;
    for (let i = 0; i < 5; i++) {
      engine.appendBatch('t', 0, encodeRecordBatch({ baseOffset: 0, producerId: 77, producerEpoch: 2, baseSequence: sequence, records: recs(3, `p${i}`) }));
      sequence += 3;
    }
    crash(engine);
    const again = engines.open(engine.dir);
    again.appendBatch('t', 0, encodeRecordBatch({ baseOffset: 0, producerId: 88, producerEpoch: 0, baseSequence: 0, records: recs(1, 'q') }));
    again.partitionWriter('t', 0).roll();
    const snapshot = ProducerState.decodeSnapshot(readFileSync(path.join(engine.dir, 't-0', segmentFileName(16, '.snapshot'))))!;
    expect(snapshot.get(77)).toMatchObject({ epoch: 2, lastSequence: 14, lastOffset: 14 });
    expect(snapshot.get(88)).toMatchObject({ lastSequence: 0, lastOffset: 15 });
  });

  it('recovers a directory copied while the writer was running, leaving the original untouched', () => {
    const engine = engines.fresh();
    engine.createTopic('t', { partitions: 2, config: { 'segment.bytes': 800 } });
    for (let i = 0; i < 30; i++) engine.produce('t', [{ key: Buffer.from(`k${i % 5}`), value: Buffer.from(`v${i}`.padEnd(40, '-')) }]);
    const copy = path.join(engines.dir(), 'copy');
    cpSync(engine.dir, copy, { recursive: true });
    rmSync(lockFile(copy));
    // Tear the copy's last batch in partition 0, as a copy racing an append would.
    const partitionDir = path.join(copy, 't-0');
    const active = segmentBases(partitionDir).at(-1)!;
    const size = statSync(logPath(partitionDir, active)).size;
    truncateSync(logPath(partitionDir, active), size - 1);
    const recovered = engines.open(copy);
    expect(recovered.recovery.map((r) => r.partition)).toEqual(['t-0']);
    expect(recovered.endOffset('t', 0)).toBe(engine.endOffset('t', 0) - 1);
    expect(recovered.endOffset('t', 1)).toBe(engine.endOffset('t', 1));
    expect(valuesOf(readAll(recovered, 't', 1))).toEqual(valuesOf(readAll(engine, 't', 1)));
    // The running writer was not disturbed.
    expect(engine.appendRecords('t', 0, [rec('still here')]).baseOffset).toBe(recovered.endOffset('t', 0) + 1);
  });
});
