import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../batch/record-batch-encoder';
import { walkRawBatches } from '../log-fixtures.test-support';
import { parseLeaderEpochCheckpoint, parseOffsetCheckpoint } from '../logdir/checkpoint-file';
import { LogDirectory } from '../logdir/log-directory';
import { parseMetaProperties } from '../logdir/meta-properties';
import { segmentFileName } from '../segment/log-segment';
import { expectIndexesMatchRebuild, FakeClock, hasCleanShutdownMarker, rec, recordListing, recs, segmentBases, snapshotBases, useEngines, utf8 } from './engine.test-support';
import { ProducerState } from './producer-state';

const engines = useEngines();

function sizes(partitionDir: string): number[] {
  return segmentBases(partitionDir).map((base) => statSync(path.join(partitionDir, segmentFileName(base, '.log'))).size);
}

function rawBatchesOf(partitionDir: string, base: number) {
  return walkRawBatches(readFileSync(path.join(partitionDir, segmentFileName(base, '.log'))));
}

/** A deterministic pseudo-random sequence, so failures reproduce. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('rolling', () => {
  it('rolls before an append that would take the segment past segment.bytes (Kafka LogSegment.shouldRoll)', () => {
    const engine = engines.fresh();
    engine.createTopic('t', { config: { 'segment.bytes': 2000 } });
    const next = random(1);
    for (let i = 0; i < 80; i++) engine.appendRecords('t', 0, recs(1 + Math.floor(next() * 5), `v${i}-`, { size: Math.floor(next() * 120) }));
    const dir = path.join(engine.dir, 't-0');
    const bases = segmentBases(dir);
    const segmentSizes = sizes(dir);
    expect(bases.length).toBeGreaterThan(5);
    for (let i = 0; i < bases.length; i++) {
      expect(segmentSizes[i]).toBeLessThanOrEqual(2000);
      if (i + 1 < bases.length) {
        // The segment rolled because the next batch did not fit.
        const nextBatch = rawBatchesOf(dir, bases[i + 1]!)[0]!;
        expect(segmentSizes[i]! + nextBatch.size, `segment ${bases[i]}`).toBeGreaterThan(2000);
      }
    }
    expect(bases.slice(1)).toEqual(bases.slice(0, -1).map((b) => rawBatchesOf(dir, b).at(-1)!.lastOffset + 1));
  });

  it('puts a batch larger than segment.bytes alone in its own segment', () => {
    const engine = engines.fresh();
    engine.createTopic('t', { config: { 'segment.bytes': 100 } });
    for (let i = 0; i < 3; i++) engine.appendRecords('t', 0, [rec('x'.repeat(300))]);
    expect(segmentBases(path.join(engine.dir, 't-0'))).toEqual([0, 1, 2]);
  });

  it('rolls on segment.ms by record timestamps (first batch max timestamp to the incoming one)', () => {
    const clock = new FakeClock();
    const engine = engines.fresh({ now: clock.now });
    engine.createTopic('t', { config: { 'segment.ms': 1000 } });
    const t0 = 1_700_000_000_000;
    // The wall clock does not move; record time does.
    for (const ts of [t0, t0 + 500, t0 + 1000, t0 + 1001, t0 + 1500, t0 + 2002, t0 + 100]) engine.appendRecords('t', 0, [rec(`at${ts - t0}`, ts)]);
    // 1001 - 0 > 1000 rolls at offset 3; 2002 - 1001 > 1000 rolls at offset 5.
    expect(segmentBases(path.join(engine.dir, 't-0'))).toEqual([0, 3, 5]);
  });

  it('rolls on segment.ms by the injected clock when records carry no timestamp', () => {
    const clock = new FakeClock();
    const engine = engines.fresh({ now: clock.now });
    engine.createTopic('t', { config: { 'segment.ms': 1000 } });
    engine.appendRecords('t', 0, [rec('a', -1)]);
    clock.advance(1000);
    engine.appendRecords('t', 0, [rec('b', -1)]);
    expect(segmentBases(path.join(engine.dir, 't-0'))).toEqual([0]);
    clock.advance(1);
    engine.appendRecords('t', 0, [rec('c', -1)]);
    expect(segmentBases(path.join(engine.dir, 't-0'))).toEqual([0, 2]);
    // The new segment's age counts from its creation, at the roll.
    clock.advance(1000);
    engine.appendRecords('t', 0, [rec('d', -1)]);
    clock.advance(1001);
    engine.appendRecords('t', 0, [rec('e', -1)]);
    expect(segmentBases(path.join(engine.dir, 't-0'))).toEqual([0, 2, 4]);
  });

  it('never rolls an empty segment, however old', () => {
    const clock = new FakeClock();
    const engine = engines.fresh({ now: clock.now });
    engine.createTopic('t', { config: { 'segment.ms': 1 } });
    clock.advance(1_000_000);
    engine.appendRecords('t', 0, [rec('a', -1)]);
    expect(segmentBases(path.join(engine.dir, 't-0'))).toEqual([0]);
  });

  it('rolls when an index is full (segment.index.bytes)', () => {
    const engine = engines.fresh();
    // 24 bytes: 3 offset entries or 2 time entries. index.interval.bytes=0 indexes every batch after the first.
    engine.createTopic('t', { config: { 'segment.index.bytes': 24, 'index.interval.bytes': 0 } });
    for (let i = 0; i < 20; i++) engine.appendRecords('t', 0, [rec(`v${i}`, 1_700_000_000_000 + i)]);
    engine.close();
    const dir = path.join(engine.dir, 't-0');
    const bases = segmentBases(dir);
    // With rising timestamps each indexed batch adds a time entry: the time index (2 entries) fills first.
    expect(bases).toEqual([0, 3, 6, 9, 12, 15, 18]);
    for (const base of bases) {
      expect(statSync(path.join(dir, segmentFileName(base, '.index'))).size).toBeLessThanOrEqual(24);
      expect(statSync(path.join(dir, segmentFileName(base, '.timeindex'))).size).toBeLessThanOrEqual(24);
    }
    expectIndexesMatchRebuild(dir, 0, { activeSealed: true });
  });
});

describe('index files', () => {
  it.each([
    ['Kafka defaults, rising timestamps', 4096, (i: number) => 1_700_000_000_000 + i * 10],
    ['small interval, timestamps out of order', 100, (i: number) => 1_700_000_000_000 + ((i * 7919) % 500)],
    ['small interval, no timestamps', 100, () => -1],
    ['every batch indexed, timestamps mixed with none', 0, (i: number) => (i % 3 === 0 ? -1 : 1_700_000_000_000 + ((i * 31) % 97))],
  ])('match IndexBuilder byte for byte in sealed and active segments (%s)', (_name, interval, timestampOf) => {
    const engine = engines.fresh();
    engine.createTopic('t', { config: { 'segment.bytes': 9000, 'index.interval.bytes': interval } });
    const next = random(interval + 7);
    for (let i = 0; i < 300; i++) {
      const count = 1 + Math.floor(next() * 4);
      engine.appendRecords('t', 0, Array.from({ length: count }, (_, j) => rec(`r${i}.${j}`.padEnd(Math.floor(next() * 90), '#'), timestampOf(i * 4 + j))));
    }
    const dir = path.join(engine.dir, 't-0');
    expect(segmentBases(dir).length).toBeGreaterThan(3);
    // While open: sealed segments are final, the active one has no close-time entry yet.
    expectIndexesMatchRebuild(dir, interval, { activeSealed: false });
    engine.close();
    expectIndexesMatchRebuild(dir, interval, { activeSealed: true });
    // Reopened and appended to, the active segment carries on with the same rule.
    const again = engines.open(engine.dir);
    for (let i = 0; i < 40; i++) again.appendRecords('t', 0, [rec(`more${i}`.padEnd(60, '#'), timestampOf(5000 + i))]);
    expectIndexesMatchRebuild(dir, interval, { activeSealed: false });
    again.close();
    expectIndexesMatchRebuild(dir, interval, { activeSealed: true });
  });
});

describe('producer snapshots', () => {
  it('writes a .snapshot at each roll, holding each idempotent producer last sequence as of that offset', () => {
    const engine = engines.fresh();
    engine.createTopic('t', { config: { 'segment.bytes': 700 } });
    const producers = [
      { id: 1001, epoch: 0, sequence: 0 },
      { id: 2002, epoch: 5, sequence: 2_147_483_640 },
    ];
    const history: { lastOffset: number; id: number; epoch: number; lastSequence: number }[] = [];
    for (let i = 0; i < 40; i++) {
      if (i % 5 === 4) {
        engine.appendRecords('t', 0, [rec(`plain${i}`.padEnd(40, '.'))]);
        continue;
      }
      const producer = producers[i % 2]!;
      const count = 1 + (i % 3);
      const batch = encodeRecordBatch({ baseOffset: 0, producerId: producer.id, producerEpoch: producer.epoch, baseSequence: producer.sequence, records: recs(count, `p${producer.id}-${i}-`, { size: 30 }) });
      const result = engine.appendBatch('t', 0, batch);
      const lastSequence = (producer.sequence + count - 1) % 2 ** 31;
      history.push({ lastOffset: result.lastOffset, id: producer.id, epoch: producer.epoch, lastSequence });
      producer.sequence = (lastSequence + 1) % 2 ** 31;
    }
    const dir = path.join(engine.dir, 't-0');
    const bases = segmentBases(dir);
    expect(bases.length).toBeGreaterThan(3);
    expect(snapshotBases(dir)).toEqual(bases.slice(1));
    for (const base of bases.slice(1)) {
      const state = ProducerState.decodeSnapshot(readFileSync(path.join(dir, segmentFileName(base, '.snapshot'))));
      expect(state, `snapshot ${base}`).toBeDefined();
      for (const { id, epoch } of producers) {
        const last = history.filter((h) => h.id === id && h.lastOffset < base).at(-1);
        if (!last) expect(state!.get(id)).toBeUndefined();
        else expect(state!.get(id), `producer ${id} in snapshot ${base}`).toMatchObject({ epoch, lastSequence: last.lastSequence, lastOffset: last.lastOffset });
      }
    }
  });

  it('writes the 10-byte empty snapshot when no producer is idempotent', () => {
    const engine = engines.fresh();
    engine.createTopic('t', { config: { 'segment.bytes': 200 } });
    for (let i = 0; i < 4; i++) engine.appendRecords('t', 0, [rec('x'.repeat(100))]);
    const dir = path.join(engine.dir, 't-0');
    expect(snapshotBases(dir)).toEqual([1, 2, 3]);
    expect(readFileSync(path.join(dir, segmentFileName(1, '.snapshot'))).toString('hex')).toBe('000148674bc700000000');
  });
});

describe('files beside the data', () => {
  it('writes the root checkpoints as Kafka does, and the clean-shutdown marker only on close', () => {
    const engine = engines.fresh();
    engine.createTopic('b', { partitions: 2, config: { 'segment.bytes': 300 } });
    engine.createTopic('a');
    expect(hasCleanShutdownMarker(engine.dir)).toBe(false);
    for (let i = 0; i < 7; i++) engine.appendRecords('b', 1, recs(2, `x${i}`, { size: 40 }));
    engine.appendRecords('a', 0, recs(3, 'a'));
    const read = (name: string) => parseOffsetCheckpoint(readFileSync(path.join(engine.dir, name), 'utf8'), name);
    engine.flush();
    expect(read('recovery-point-offset-checkpoint')).toEqual([
      { topic: 'a', partition: 0, offset: 3 },
      { topic: 'b', partition: 0, offset: 0 },
      { topic: 'b', partition: 1, offset: 14 },
    ]);
    expect(read('replication-offset-checkpoint')).toEqual(read('recovery-point-offset-checkpoint'));
    expect(read('log-start-offset-checkpoint')).toEqual([]);
    expect(readFileSync(path.join(engine.dir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n0\n');
    expect(hasCleanShutdownMarker(engine.dir)).toBe(false);
    engine.appendRecords('a', 0, recs(2, 'late'));
    engine.close();
    expect(read('recovery-point-offset-checkpoint').find((e) => e.topic === 'a')!.offset).toBe(5);
    expect(read('replication-offset-checkpoint').find((e) => e.topic === 'a')!.offset).toBe(5);
    expect(readFileSync(path.join(engine.dir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n3\na 0 5\nb 0 0\nb 1 14\n');
    expect(JSON.parse(readFileSync(path.join(engine.dir, '.kafka_cleanshutdown'), 'utf8'))).toEqual({ version: 0, brokerEpoch: 0 });
    // Opening removes the marker: a crash from here on must count as unclean.
    const again = engines.open(engine.dir);
    expect(hasCleanShutdownMarker(engine.dir)).toBe(false);
    again.close();
    expect(hasCleanShutdownMarker(engine.dir)).toBe(true);
    expect(readdirSync(engine.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes meta.properties once and keeps it over restarts', () => {
    const engine = engines.fresh();
    const file = path.join(engine.dir, 'meta.properties');
    const text = readFileSync(file, 'utf8');
    const meta = parseMetaProperties(text);
    expect(meta).toMatchObject({ version: 1, nodeId: 1, clusterId: engine.clusterId });
    expect(engine.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(text.split('\n').filter((l) => l.startsWith('#'))).toHaveLength(2);
    engine.close();
    const again = engines.open(engine.dir);
    expect(again.clusterId).toBe(engine.clusterId);
    again.close();
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('writes partition.metadata as exactly 43 bytes with no trailing newline, and leader-epoch-checkpoint', () => {
    const engine = engines.fresh();
    const topic = engine.createTopic('t', { partitions: 2 });
    for (let p = 0; p < 2; p++) {
      const dir = path.join(engine.dir, `t-${p}`);
      const metadata = readFileSync(path.join(dir, 'partition.metadata'));
      expect(metadata.length).toBe(43);
      expect(metadata.toString('utf8')).toBe(`version: 0\ntopic_id: ${topic.topicId}`);
      expect(metadata.toString('utf8')).toMatch(/^version: 0\ntopic_id: [A-Za-z0-9_-]{22}$/);
      expect(parseLeaderEpochCheckpoint(readFileSync(path.join(dir, 'leader-epoch-checkpoint'), 'utf8'), 'x')).toEqual([{ epoch: 0, startOffset: 0 }]);
    }
    // The id decodes to 16 bytes, as a Kafka Uuid.
    expect(Buffer.from(topic.topicId!, 'base64url').length).toBe(16);
  });

  it('leaves a directory LogDirectory reads with zero warnings, agreeing with the engine', () => {
    const clock = new FakeClock();
    const engine = engines.fresh({ now: clock.now });
    engine.createTopic('events', { partitions: 3, config: { 'segment.bytes': 1500, 'index.interval.bytes': 200 } });
    engine.createTopic('lat', { config: { 'message.timestamp.type': 'LogAppendTime', 'segment.bytes': 500 } });
    for (let i = 0; i < 120; i++) {
      engine.produce('events', [{ key: utf8(`k${i % 17}`), value: utf8(`event ${i}`.padEnd(30, '-')), timestamp: 1_700_000_000_000 + i }]);
      clock.advance(3);
      engine.appendRecords('lat', 0, [rec(`l${i}`)]);
    }
    // While the writer is open, too.
    const whileOpen = LogDirectory.open(engine.dir);
    expect(whileOpen.warnings).toEqual([]);
    whileOpen.close();
    engine.close();
    const listing = recordListing(engine.dir);
    expect(listing.warnings).toEqual([]);
    const dir = LogDirectory.open(engine.dir);
    try {
      expect(dir.warnings).toEqual([]);
      expect(dir.cleanShutdown).toBe(true);
      expect(dir.meta?.clusterId).toBe(engine.clusterId);
      expect(dir.partitions.map((p) => `${p.name}:${p.summary().records}`)).toEqual(['events-0:' + dir.partitions[0]!.nextOffset(), 'events-1:' + dir.partitions[1]!.nextOffset(), 'events-2:' + dir.partitions[2]!.nextOffset(), 'lat-0:120']);
      expect(dir.partitions.slice(0, 3).reduce((sum, p) => sum + p.summary().records, 0)).toBe(120);
      for (const p of dir.partitions) for (const segment of p.segments) expect(segment.indexes().source, `${p.name}/${segment.baseOffset}`).toBe(segment.sizeInBytes ? 'files' : 'rebuilt');
    } finally {
      dir.close();
    }
    expect(existsSync(path.join(engine.dir, '.tapedeck', 'writer.lock'))).toBe(false);
  });
});
