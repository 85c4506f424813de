import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeControlKey, encodeEndTransactionValue } from '../batch/control-record';
import { encodeRecordBatch } from '../batch/record-batch-encoder';
import { CompressionCodec } from '../compression/compression-codec';
import type { LogWarning } from '../errors';
import { FIXTURE_LOGS, type RawBatch, type RawRecord, fixturePath, rawRecords, useTempDirs, walkRawBatches, writeLog } from '../log-fixtures.test-support';
import { PartitionLog } from './partition-log';

const temp = useTempDirs();

/** A partition read the slow way: every segment walked by its length fields, every record decoded by hand. */
interface RawPartition {
  readonly bases: number[];
  readonly batches: RawBatch[];
  readonly records: RawRecord[];
  readonly bytes: number;
}

function rawPartition(dir: string): RawPartition {
  const bases = readdirSync(dir)
    .filter((n) => /^\d{20}\.log$/.test(n))
    .map((n) => Number(n.slice(0, 20)))
    .sort((a, b) => a - b);
  const batches: RawBatch[] = [];
  const records: RawRecord[] = [];
  let bytes = 0;
  for (const base of bases) {
    const data = readFileSync(join(dir, `${String(base).padStart(20, '0')}.log`));
    bytes += data.length;
    for (const batch of walkRawBatches(data)) {
      batches.push(batch);
      records.push(...rawRecords(data, batch));
    }
  }
  return { bases, batches, records, bytes };
}

function partitionDirs(set: string): { name: string; topic: string; partition: number }[] {
  return readdirSync(join(FIXTURE_LOGS, set), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({ name: d.name, m: /^(.+)-(\d+)$/.exec(d.name) }))
    .filter((x) => x.m !== null)
    .map((x) => ({ name: x.name, topic: x.m![1]!, partition: Number(x.m![2]) }));
}

function open(set: string, name: string, warnings: LogWarning[] = []): PartitionLog {
  const m = /^(.+)-(\d+)$/.exec(name)!;
  return new PartitionLog(fixturePath(set, name), m[1]!, Number(m[2]), { onWarning: (w) => warnings.push(w) });
}

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe.each(['kafka-0.11', 'kafka-3.7-kraft', 'kafka-keyed'])('every partition of %s agrees with a raw walk of its bytes', (set) => {
  it.each(partitionDirs(set).map((p) => [p.name]))('%s', (name) => {
    const raw = rawPartition(fixturePath(set, name));
    const log = open(set, name);
    const summary = log.summary();
    const stamped = raw.records.map((r) => r.timestamp).filter((t) => t >= 0);
    expect(summary).toEqual({
      topic: name.replace(/-\d+$/, ''),
      partition: Number(/\d+$/.exec(name)![0]),
      startOffset: raw.bases[0],
      nextOffset: raw.batches.length ? raw.batches[raw.batches.length - 1]!.lastOffset + 1 : raw.bases[raw.bases.length - 1],
      records: raw.records.length,
      controlRecords: 0,
      batches: raw.batches.length,
      bytes: raw.bytes,
      segments: raw.bases.length,
      firstTimestamp: stamped.length ? Math.min(...stamped) : -1,
      lastTimestamp: stamped.length ? Math.max(...stamped) : -1,
      codecs: raw.batches.length ? ['none'] : [],
    });
    expect(log.startOffset()).toBe(summary.startOffset);
    expect(log.nextOffset()).toBe(summary.nextOffset);

    // Every batch verifies its CRC (on by default) and decodes to the records read by hand.
    const decoded = [...log.batches(0)].flatMap((batch) => {
      expect(batch.magic).toBe(2);
      batch.verifyChecksum();
      const records = batch.records();
      expect(records).toHaveLength(batch.recordCount);
      return records;
    });
    expect(decoded.map((r) => [r.offset, r.timestamp, r.key === null ? -1 : r.key.length, r.value === null ? -1 : r.value.length])).toEqual(
      raw.records.map((r) => [r.offset, r.timestamp, r.keyLength, r.valueLength]),
    );
    const read = [...log.records({ fromOffset: 0 })];
    expect(read.map((r) => r.record.offset)).toEqual(raw.records.map((r) => r.offset));
    if (!name.startsWith('__')) expect(read.every((r) => r.record.key === null)).toBe(true);
    log.close();
  });
});

describe('the figures of the fixtures README and kafka-format.md section 7', () => {
  it('kafka-0.11: test0-0/1/2 hold offsets 0-10, 11 records each; test0-2 in 10 batches; 757/758/698 bytes; 2020-09-14', () => {
    const figures = ['test0-0', 'test0-1', 'test0-2'].map((name) => {
      const s = open('kafka-0.11', name).summary();
      return [s.records, s.batches, s.bytes, s.startOffset, s.nextOffset, utcDay(s.firstTimestamp), utcDay(s.lastTimestamp)];
    });
    expect(figures).toEqual([
      [11, 11, 757, 0, 11, '2020-09-14', '2020-09-14'],
      [11, 11, 758, 0, 11, '2020-09-14', '2020-09-14'],
      [11, 10, 698, 0, 11, '2020-09-14', '2020-09-14'],
    ]);
    expect(open('kafka-0.11', 'test0-0').summary().firstTimestamp).toBe(1_600_054_563_906);
    // The reference says "1-character values"; offset 7 of each partition (and 6 of test0-0) is in fact empty.
    const values = [...open('kafka-0.11', 'test0-2').records({ fromOffset: 0 })].map((r) => r.record.value!.toString());
    expect(values).toEqual(['1', '1', '2', '4', '1', '1', '1', '', '2', '2', '3']);
    expect([...open('kafka-0.11', 'test0-2').batches(0)].map((b) => b.recordCount)).toEqual([1, 1, 1, 1, 1, 2, 1, 1, 1, 1]);
  });

  it('kafka-0.11: mac_test-0 starts and ends at 78 with no data', () => {
    const log = open('kafka-0.11', 'mac_test-0');
    expect([log.startOffset(), log.nextOffset(), [...log.records({ fromOffset: 0 })].length]).toEqual([78, 78, 0]);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([78]);
  });

  it('kafka-3.7-kraft: __cluster_metadata-0 holds 12,105 batches, 12,156 records, offsets 1,725,413-1,737,568', () => {
    const s = open('kafka-3.7-kraft', '__cluster_metadata-0').summary();
    expect([s.batches, s.records, s.controlRecords, s.startOffset, s.nextOffset - 1]).toEqual([12_105, 12_156, 0, 1_725_413, 1_737_568]);
  });

  it('kafka-3.7-kraft: __consumer_offsets-31 has its first batch at offset 2 in segment 0 and ends at 5', () => {
    const log = open('kafka-3.7-kraft', '__consumer_offsets-31');
    expect(log.segments.map((s) => s.baseOffset)).toEqual([0, 3]);
    const [first] = log.batches(0);
    expect([first!.baseOffset, first!.position]).toEqual([2, 0]);
    expect([...log.batches(0)].map((b) => [b.baseOffset, b.partitionLeaderEpoch])).toEqual([
      [2, 0],
      [3, 2],
      [4, 10],
    ]);
    expect([log.startOffset(), log.nextOffset()]).toEqual([0, 5]);
  });

  it('kafka-3.7-kraft: __consumer_offsets-44 holds offsets 6 and 8, then tombstones at 9-10', () => {
    const read = [...open('kafka-3.7-kraft', '__consumer_offsets-44').records({ fromOffset: 0 })];
    expect(read.map((r) => [r.record.offset, r.record.value === null])).toEqual([
      [6, false],
      [8, false],
      [9, true],
      [10, true],
    ]);
    expect(read.every((r) => r.batch.producerId === -1 && r.batch.baseSequence === 0)).toBe(true);
  });

  it('kafka-3.7-kraft: topic_transactions-0 starts and ends at 5 with no records', () => {
    const log = open('kafka-3.7-kraft', 'topic_transactions-0');
    const s = log.summary();
    expect([s.startOffset, s.nextOffset, s.records, s.batches]).toEqual([5, 5, 0, 0]);
    expect([...log.records({ fromOffset: 0 })]).toEqual([]);
    expect(log.offsetForTimestamp(0)).toBeUndefined();
  });

  it('kafka-keyed: string-key-0 holds 28,068 batches and 28,162 records; 20,007 batches (base offsets 326-20,332) carry no timestamp', () => {
    const warnings: LogWarning[] = [];
    const log = open('kafka-keyed', 'string-key-0', warnings);
    const s = log.summary();
    expect([s.batches, s.records, s.startOffset, s.nextOffset]).toEqual([28_068, 28_162, 0, 28_162]);
    const untimed = [...log.segments[0]!.headers()].filter((h) => h.maxTimestamp === -1);
    expect(untimed).toHaveLength(20_007);
    expect([untimed[0]!.baseOffset, untimed[untimed.length - 1]!.baseOffset]).toEqual([326, 20_332]);
    expect(untimed.every((h, i) => h.baseOffset === 326 + i && h.firstTimestamp === -1)).toBe(true);
    expect([utcDay(s.firstTimestamp), utcDay(s.lastTimestamp)]).toEqual(['2019-06-18', '2019-06-18']);
  });

  it('kafka-keyed: test-0921-0 holds 1,521 single-record batches of CSV-like values from 2019-06-17/18', () => {
    const log = open('kafka-keyed', 'test-0921-0');
    const s = log.summary();
    expect([s.batches, s.records, s.nextOffset, utcDay(s.firstTimestamp), utcDay(s.lastTimestamp)]).toEqual([1521, 1521, 1521, '2019-06-17', '2019-06-18']);
    for (const { record } of log.records({ fromOffset: 0, maxRecords: 50 })) expect(record.value!.toString()).toMatch(/^\d{13},machine-1,[\d.]+$/);
  });

  it('kafka-keyed: __consumer_offsets-36 holds 16 records', () => {
    expect(open('kafka-keyed', '__consumer_offsets-36').summary().records).toBe(16);
  });
});

describe('reading from an offset', () => {
  it('batches(fromOffset) and records({fromOffset}) start where a linear scan says, across segments and gaps', () => {
    for (const [set, name] of [
      ['kafka-3.7-kraft', '__consumer_offsets-31'],
      ['kafka-3.7-kraft', '__consumer_offsets-44'],
      ['kafka-0.11', 'test0-2'],
    ] as const) {
      const raw = rawPartition(fixturePath(set, name));
      const log = open(set, name);
      for (let from = 0; from <= raw.records[raw.records.length - 1]!.offset + 2; from++) {
        const batch = raw.batches.find((b) => b.lastOffset >= from);
        expect([...log.batches(from)][0]?.baseOffset, `${name} batches(${from})`).toBe(batch?.baseOffset);
        expect(
          [...log.records({ fromOffset: from })].map((r) => r.record.offset),
          `${name} records(${from})`,
        ).toEqual(raw.records.filter((r) => r.offset >= from).map((r) => r.offset));
      }
    }
  });

  it('__cluster_metadata-0: the first record read from many offsets is the first at or after them', () => {
    const raw = rawPartition(fixturePath('kafka-3.7-kraft', '__cluster_metadata-0'));
    const log = open('kafka-3.7-kraft', '__cluster_metadata-0');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_737_600 }), (from) => {
        const [first] = log.records({ fromOffset: from, maxRecords: 1 });
        expect(first?.record.offset).toBe(raw.records.find((r) => r.offset >= from)?.offset);
      }),
      { numRuns: 300 },
    );
  });
});

/** Two segments with gaps, a transaction marker, and a compressed batch. */
function syntheticPartition(): string {
  const dir = join(temp.make(), 'orders-3');
  mkdirSync(dir);
  const rec = (v: string, timestamp: number, offsetDelta?: number) => ({ key: Buffer.from(v.slice(0, 1)), value: Buffer.from(v), timestamp, ...(offsetDelta === undefined ? {} : { offsetDelta }) });
  writeLog(
    dir,
    100,
    encodeRecordBatch({ baseOffset: 100, records: [rec('a0', 1000), rec('a1', 1001), rec('a2', 1002)] }), // 100-102
    encodeRecordBatch({ baseOffset: 105, records: [rec('b0', 1005, 0), rec('b2', 1007, 2)], lastOffsetDelta: 3 }), // 105-108, holds 105 and 107
    encodeRecordBatch({ baseOffset: 109, isTransactional: true, producerId: 5, producerEpoch: 0, baseSequence: 0, records: [rec('t0', 1009), rec('t1', 1010)] }), // 109-110
    encodeRecordBatch({ baseOffset: 111, isControl: true, isTransactional: true, producerId: 5, producerEpoch: 0, records: [{ key: encodeControlKey('COMMIT'), value: encodeEndTransactionValue(1), timestamp: 1011 }] }), // 111
  );
  writeLog(
    dir,
    112,
    encodeRecordBatch({ baseOffset: 112, compression: CompressionCodec.Gzip, records: [rec('c0', 2000), rec('c1', 1500), rec('c2', 2500)] }), // 112-114
    encodeRecordBatch({ baseOffset: 120, records: [rec('d0', 3000)] }), // 120 (gap 115-119)
  );
  return dir;
}

describe('records() options on a synthetic partition', () => {
  const offsets = (log: PartitionLog, options: Parameters<PartitionLog['records']>[0]) => [...log.records(options)].map((r) => r.record.offset);

  it('skips control records unless asked, and says which batch each record came from', () => {
    const log = new PartitionLog(syntheticPartition(), 'orders', 3);
    expect(offsets(log, { fromOffset: 0 })).toEqual([100, 101, 102, 105, 107, 109, 110, 112, 113, 114, 120]);
    const all = [...log.records({ fromOffset: 0, includeControl: true })];
    expect(all.map((r) => r.record.offset)).toEqual([100, 101, 102, 105, 107, 109, 110, 111, 112, 113, 114, 120]);
    const marker = all.find((r) => r.record.offset === 111)!;
    expect([marker.batch.isControl, marker.batch.isTransactional, marker.batch.producerId]).toEqual([true, true, 5]);
    expect(all.find((r) => r.record.offset === 113)!.batch.compression).toBe(CompressionCodec.Gzip);
    expect(all.find((r) => r.record.offset === 113)!.record.value!.toString()).toBe('c1');
  });

  it('starts inside a batch, inside a compaction gap, inside a gap between segments, and past the end', () => {
    const log = new PartitionLog(syntheticPartition(), 'orders', 3);
    expect(offsets(log, { fromOffset: 101 })).toEqual([101, 102, 105, 107, 109, 110, 112, 113, 114, 120]);
    expect(offsets(log, { fromOffset: 103 })).toEqual([105, 107, 109, 110, 112, 113, 114, 120]);
    expect(offsets(log, { fromOffset: 106 })).toEqual([107, 109, 110, 112, 113, 114, 120]);
    expect(offsets(log, { fromOffset: 108 })).toEqual([109, 110, 112, 113, 114, 120]);
    expect(offsets(log, { fromOffset: 111 })).toEqual([112, 113, 114, 120]);
    expect(offsets(log, { fromOffset: 116 })).toEqual([120]);
    expect(offsets(log, { fromOffset: 121 })).toEqual([]);
    expect(offsets(log, { fromOffset: 0 })[0]).toBe(100);
    expect([...log.batches(116)].map((b) => b.baseOffset)).toEqual([120]);
    expect([...log.batches(0)].map((b) => b.baseOffset)).toEqual([100, 105, 109, 111, 112, 120]);
  });

  it('maxRecords counts data records only', () => {
    const log = new PartitionLog(syntheticPartition(), 'orders', 3);
    expect(offsets(log, { fromOffset: 0, maxRecords: 0 })).toEqual([]);
    expect(offsets(log, { fromOffset: 0, maxRecords: 4 })).toEqual([100, 101, 102, 105]);
    expect(offsets(log, { fromOffset: 109, maxRecords: 3 })).toEqual([109, 110, 112]);
    expect(offsets(log, { fromOffset: 109, maxRecords: 3, includeControl: true })).toEqual([109, 110, 111]);
  });

  it('maxBytes reads whole batches, always at least one', () => {
    const log = new PartitionLog(syntheticPartition(), 'orders', 3);
    const sizes = [...log.batches(0)].map((b) => b.sizeInBytes);
    expect(offsets(log, { fromOffset: 0, maxBytes: 1 })).toEqual([100, 101, 102]);
    expect(offsets(log, { fromOffset: 0, maxBytes: sizes[0]! + sizes[1]! - 1 })).toEqual([100, 101, 102]);
    expect(offsets(log, { fromOffset: 0, maxBytes: sizes[0]! + sizes[1]! })).toEqual([100, 101, 102, 105, 107]);
    // a skipped control batch still uses its bytes
    const upToMarker = sizes.slice(2, 4).reduce((a, b) => a + b, 0);
    expect(offsets(log, { fromOffset: 109, maxBytes: upToMarker })).toEqual([109, 110]);
  });

  it('summary counts control records apart and lists codecs', () => {
    const s = new PartitionLog(syntheticPartition(), 'orders', 3).summary();
    expect(s).toMatchObject({ topic: 'orders', partition: 3, startOffset: 100, nextOffset: 121, records: 11, controlRecords: 1, batches: 6, segments: 2, firstTimestamp: 1000, lastTimestamp: 3000, codecs: ['gzip', 'none'] });
  });

  it('offsetForTimestamp agrees with a linear scan over every record of every segment', () => {
    const log = new PartitionLog(syntheticPartition(), 'orders', 3);
    const all = [...log.records({ fromOffset: 0, includeControl: true })].map((r) => r.record);
    for (let target = 900; target <= 3100; target += 1) {
      const want = all.find((r) => r.timestamp >= target);
      expect(log.offsetForTimestamp(target), `target ${target}`).toEqual(want && { offset: want.offset, timestamp: want.timestamp });
    }
  });
});

describe('offsetForTimestamp on the fixtures agrees with a linear scan over all records', () => {
  it.each([
    ['kafka-keyed', 'string-key-0'],
    ['kafka-3.7-kraft', '__cluster_metadata-0'],
    ['kafka-3.7-kraft', '__consumer_offsets-31'],
    ['kafka-keyed', 'test-0921-0'],
  ])('%s/%s', (set, name) => {
    const raw = rawPartition(fixturePath(set, name));
    const log = open(set, name);
    const stamped = raw.records.filter((r) => r.timestamp >= 0).map((r) => r.timestamp);
    const min = Math.min(...stamped);
    const max = Math.max(...stamped);
    const targets = new Set([0, min - 60_000, min - 1, min, min + 1, max - 1, max, max + 1, max + 60_000]);
    for (let i = 0; i < stamped.length; i += Math.ceil(stamped.length / 200)) for (const d of [-1, 0, 1]) targets.add(stamped[i]! + d);
    for (let i = 0; i < 100; i++) targets.add(min + Math.floor(((max - min) * i) / 100));
    for (const target of targets) {
      const want = raw.records.find((r) => r.timestamp >= target);
      expect(log.offsetForTimestamp(target), `${name} at ${target}`).toEqual(want && { offset: want.offset, timestamp: want.timestamp });
    }
    expect(log.offsetForTimestamp(max + 1)).toBeUndefined();
  });
});

describe('start and end offsets', () => {
  it('the log-start checkpoint raises the start offset above the first segment base', () => {
    const dir = syntheticPartition();
    expect(new PartitionLog(dir, 'orders', 3, { logStartOffsetCheckpoint: 107 }).startOffset()).toBe(107);
    expect(new PartitionLog(dir, 'orders', 3, { logStartOffsetCheckpoint: 50 }).startOffset()).toBe(100);
  });

  it('an empty last segment (rolled, or emptied by retention) holds the end offset in its name', () => {
    const dir = syntheticPartition();
    writeLog(dir, 121);
    const log = new PartitionLog(dir, 'orders', 3);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([100, 112, 121]);
    expect(log.nextOffset()).toBe(121);
    writeLog(dir, 130);
    expect(new PartitionLog(dir, 'orders', 3).nextOffset()).toBe(130);
  });

  it('only <20 digits>.log files are segments: not .deleted, .cleaned, .swap, indexes or short names', () => {
    const dir = join(temp.make(), 'x-0');
    mkdirSync(dir);
    const batch = encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.from('v'), timestamp: 1 }] });
    writeLog(dir, 0, batch);
    for (const name of ['00000000000000000000.index', '00000000000000000000.log.deleted', '00000000000000000005.log.cleaned', '00000000000000000009.log.swap', '0000000000000000007.log', '00000000000000000008.log.tmp', 'leader-epoch-checkpoint']) {
      writeFileSync(join(dir, name), batch);
    }
    const log = new PartitionLog(dir, 'x', 0);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([0]);
    expect([log.nextOffset(), log.summary().records]).toEqual([1, 1]);
  });

  it('a folder with no segments is an empty log at 0', () => {
    const empty = join(temp.make(), 'y-0');
    mkdirSync(empty);
    const none = new PartitionLog(empty, 'y', 0);
    expect([none.segments.length, none.startOffset(), none.nextOffset(), [...none.records({ fromOffset: 0 })].length]).toEqual([0, 0, 0, 0]);
    expect(none.name).toBe('y-0');
  });
});
