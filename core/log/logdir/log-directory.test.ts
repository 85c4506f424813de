import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../batch/record-batch-encoder';
import { LogFormatError } from '../errors';
import { fixturePath, formatError, useTempDirs, writeLog } from '../log-fixtures.test-support';
import { LogDirectory } from './log-directory';

const temp = useTempDirs();

function batch(baseOffset: number, count = 1): Buffer {
  return encodeRecordBatch({ baseOffset, records: Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`v${baseOffset + i}`), timestamp: 1_700_000_000_000 + i })) });
}

function partitionDir(root: string, name: string, ...logs: [base: number, ...batches: Buffer[]][]): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [base, ...batches] of logs) writeLog(dir, base, ...batches);
  return dir;
}

/** A log dir holding real partitions among everything a broker or tapedeck leaves beside them. */
function crowdedLogDir(): string {
  const root = temp.make();
  partitionDir(root, 'orders-0', [0, batch(0, 3)]);
  partitionDir(root, 'orders-1', [0, batch(0, 2)], [2, batch(2, 1)]);
  partitionDir(root, 'my-topic-12', [40, batch(40, 4)]);
  partitionDir(root, '__consumer_offsets-3', [0]);
  // Not partitions, although each holds a perfectly good segment.
  for (const name of ['foo-0.0123456789abcdef0123456789abcdef-delete', 'foo-1.abc-future', 'foo-2.abc-stray', '.tapedeck', 'notapartition', '.tapedeck/cache-0']) {
    partitionDir(root, name, [0, batch(0, 9)]);
  }
  writeFileSync(join(root, '.tapedeck', 'enrich.ts'), 'export default {};\n');
  writeFileSync(join(root, 'bar-0'), batch(0)); // a file, not a folder
  // Files a partition folder may hold besides its segments.
  const orders0 = join(root, 'orders-0');
  for (const suffix of ['.log.deleted', '.log.cleaned', '.log.swap', '.index.deleted', '.timeindex.swap']) {
    writeFileSync(join(orders0, `0000000000000000010${suffix.startsWith('.log') ? '0' : '1'}${suffix}`), batch(100, 5));
  }
  writeFileSync(join(orders0, 'leader-epoch-checkpoint'), '0\n1\n0 0\n');
  writeFileSync(join(orders0, 'partition.metadata'), 'version: 0\ntopic_id: 3aJOBeUFT2i-2s4EZqlyqQ');
  writeFileSync(join(orders0, '00000000000000000003.snapshot'), Buffer.from('0001486 74bc700000000'.replace(/ /g, ''), 'hex'));
  // Root files.
  writeFileSync(join(root, 'meta.properties'), '#\n#Tue Dec 16 12:13:34 NPT 2025\ncluster.id=abc\nnode.id=4\nversion=1\n');
  writeFileSync(join(root, 'recovery-point-offset-checkpoint'), '0\n3\norders 0 3\norders 1 3\nmy-topic 12 44\n');
  writeFileSync(join(root, 'replication-offset-checkpoint'), '0\n1\norders 0 3\n');
  writeFileSync(join(root, 'log-start-offset-checkpoint'), '0\n1\nmy-topic 12 42\n');
  writeFileSync(join(root, 'cleaner-offset-checkpoint'), '');
  writeFileSync(join(root, '.lock'), '');
  return root;
}

describe('discovering partitions', () => {
  it('finds only the real partitions, in topic then partition order', () => {
    const dir = LogDirectory.open(crowdedLogDir());
    expect(dir.partitions.map((p) => [p.topic, p.partition])).toEqual([
      ['__consumer_offsets', 3],
      ['my-topic', 12],
      ['orders', 0],
      ['orders', 1],
    ]);
    expect(dir.topics().map((t) => [t.name, t.internal, t.partitions.map((p) => p.partition)])).toEqual([
      ['__consumer_offsets', true, [3]],
      ['my-topic', false, [12]],
      ['orders', false, [0, 1]],
    ]);
    expect(dir.partition('my-topic', 12)?.name).toBe('my-topic-12');
    expect(dir.partition('orders', 2)).toBeUndefined();
    expect(dir.partition('foo', 0)).toBeUndefined();
    expect(dir.warnings).toEqual([]);
    dir.close();
  });

  it('reads only .log segments of a partition, never .deleted, .cleaned or .swap leftovers', () => {
    const dir = LogDirectory.open(crowdedLogDir());
    const orders0 = dir.partition('orders', 0)!;
    expect(orders0.segments.map((s) => s.baseOffset)).toEqual([0]);
    expect([...orders0.records({ fromOffset: 0 })].map((r) => r.record.offset)).toEqual([0, 1, 2]);
    expect(orders0.summary()).toMatchObject({ records: 3, nextOffset: 3, segments: 1 });
    expect(dir.partition('orders', 1)!.summary()).toMatchObject({ records: 3, nextOffset: 3, segments: 2 });
    expect(dir.partition('__consumer_offsets', 3)!.summary()).toMatchObject({ records: 0, startOffset: 0, nextOffset: 0 });
  });

  it('reads meta.properties, the root checkpoints and the log-start offset they give a partition', () => {
    const dir = LogDirectory.open(crowdedLogDir());
    expect(dir.meta).toMatchObject({ version: 1, nodeId: 4, clusterId: 'abc' });
    expect(dir.cleanShutdown).toBe(false);
    expect(Object.fromEntries(dir.checkpoints.recoveryPoint)).toEqual({ 'orders-0': 3, 'orders-1': 3, 'my-topic-12': 44 });
    expect(Object.fromEntries(dir.checkpoints.replication)).toEqual({ 'orders-0': 3 });
    expect(Object.fromEntries(dir.checkpoints.logStart)).toEqual({ 'my-topic-12': 42 });
    expect(dir.checkpoints.cleaner.size).toBe(0);
    const myTopic = dir.partition('my-topic', 12)!;
    expect([myTopic.startOffset(), myTopic.nextOffset()]).toEqual([42, 44]);
  });

  it('an empty folder is a log dir with nothing in it; missing files are empty', () => {
    const dir = LogDirectory.open(temp.make());
    expect([dir.partitions.length, dir.topics().length, dir.meta, dir.cleanShutdown, dir.warnings.length]).toEqual([0, 0, undefined, false, 0]);
    expect(dir.checkpoints.recoveryPoint.size + dir.checkpoints.logStart.size + dir.checkpoints.replication.size + dir.checkpoints.cleaner.size).toBe(0);
  });

  it('refuses a path that does not exist or is not a folder', () => {
    const root = temp.make();
    expect(() => LogDirectory.open(join(root, 'missing'))).toThrow(/no such directory/);
    writeFileSync(join(root, 'file'), 'x');
    expect(() => LogDirectory.open(join(root, 'file'))).toThrow(/not a directory/);
  });
});

describe('problems reported as warnings', () => {
  it('a bad checkpoint file is ignored with a warning naming it and the line', () => {
    const root = crowdedLogDir();
    const file = join(root, 'recovery-point-offset-checkpoint');
    writeFileSync(file, '0\n5\norders 0 3\n');
    const dir = LogDirectory.open(root);
    expect(dir.checkpoints.recoveryPoint.size).toBe(0);
    expect(dir.warnings).toEqual([{ file, position: 2, message: expect.stringMatching(/line 2: .*checkpoint ignored/) }]);
    expect(dir.partitions).toHaveLength(4);
  });

  it('a bad version line is reported at byte 0', () => {
    const root = crowdedLogDir();
    const file = join(root, 'log-start-offset-checkpoint');
    writeFileSync(file, 'version 9\n0\n');
    const dir = LogDirectory.open(root);
    expect(dir.warnings).toEqual([{ file, position: 0, message: expect.stringMatching(/line 1/) }]);
    expect(dir.partition('my-topic', 12)!.startOffset()).toBe(40);
  });

  it('a torn tail in a partition is a warning naming the file and byte; the prefix is read', () => {
    const root = crowdedLogDir();
    const log = join(root, 'orders-1', '00000000000000000002.log');
    truncateSync(log, 30);
    const dir = LogDirectory.open(root);
    const orders1 = dir.partition('orders', 1)!;
    expect([...orders1.records({ fromOffset: 0 })].map((r) => r.record.offset)).toEqual([0, 1]);
    expect(orders1.nextOffset()).toBe(2);
    const torn = dir.warnings.filter((w) => w.file === log);
    expect(torn).toHaveLength(1);
    expect(torn[0]!.position).toBe(0);
    expect(torn[0]!.message).toMatch(/torn tail/);
  });

  it('checksums are verified unless switched off', () => {
    const root = crowdedLogDir();
    const log = join(root, 'orders-0', '00000000000000000000.log');
    const bytes = readFileSync(log);
    bytes[bytes.length - 3]! ^= 0x20;
    writeFileSync(log, bytes);
    const strict = LogDirectory.open(root).partition('orders', 0)!;
    const error = formatError(() => [...strict.records({ fromOffset: 0 })]);
    expect([error.file, error.position]).toEqual([log, 17]);
    const lax = LogDirectory.open(root, { verifyChecksums: false }).partition('orders', 0)!;
    expect([...lax.records({ fromOffset: 0 })]).toHaveLength(3);
  });
});

describe('the fixtures', () => {
  it('kafka-3.7-kraft: KRaft meta.properties v1, clean shutdown, 52 partitions, the cleaner checkpoint', () => {
    const dir = LogDirectory.open(fixturePath('kafka-3.7-kraft'));
    expect(dir.meta).toMatchObject({ version: 1, nodeId: 1, clusterId: '0wHLXdrKStejkyBzi8qBEw', directoryId: 'yYuMrFRVQVSX0VVQPcMSrA' });
    expect(dir.cleanShutdown).toBe(true);
    expect(dir.partitions).toHaveLength(52);
    expect(dir.topics().map((t) => [t.name, t.internal, t.partitions.length])).toEqual([
      ['__cluster_metadata', true, 1],
      ['__consumer_offsets', true, 50],
      ['topic_transactions', false, 1],
    ]);
    expect(dir.topics()[1]!.partitions.map((p) => p.partition)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Object.fromEntries(dir.checkpoints.cleaner)).toEqual({ '__consumer_offsets-31': 3, '__consumer_offsets-44': 9 });
    expect(dir.checkpoints.logStart.size).toBe(0);
    expect(dir.checkpoints.recoveryPoint.get('topic_transactions-0')).toBe(5);
    expect(dir.checkpoints.replication.get('topic_transactions-0')).toBe(5);
    for (const p of dir.partitions) p.summary();
    expect(dir.warnings).toEqual([]);
    dir.close();
  });

  it('kafka-0.11: ZooKeeper meta.properties v0, empty clean-shutdown marker, 4 partitions', () => {
    const dir = LogDirectory.open(fixturePath('kafka-0.11'));
    expect(dir.meta).toMatchObject({ version: 0, nodeId: 0, clusterId: undefined });
    expect(dir.cleanShutdown).toBe(true);
    expect(dir.partitions.map((p) => p.name)).toEqual(['mac_test-0', 'test0-0', 'test0-1', 'test0-2']);
    expect(Object.fromEntries(dir.checkpoints.recoveryPoint)).toEqual({ 'test0-0': 11, 'test0-1': 11, 'test0-2': 11, 'mac_test-0': 78 });
    expect(dir.partitions.map((p) => [p.startOffset(), p.nextOffset()])).toEqual([
      [78, 78],
      [0, 11],
      [0, 11],
      [0, 11],
    ]);
    expect(dir.warnings).toEqual([]);
  });

  it('kafka-keyed: no clean shutdown, 0-byte cleaner checkpoint, and one warning per partition whose indexes are missing', () => {
    const dir = LogDirectory.open(fixturePath('kafka-keyed'));
    expect(dir.meta).toMatchObject({ version: 0, nodeId: 0 });
    expect(dir.cleanShutdown).toBe(false);
    expect(dir.checkpoints.cleaner.size).toBe(0);
    expect(dir.checkpoints.recoveryPoint.get('test-0921-0')).toBe(839);
    expect(dir.checkpoints.recoveryPoint.get('string-key-0')).toBe(0);
    expect(dir.topics().map((t) => [t.name, t.partitions.length])).toEqual([
      ['__consumer_offsets', 50],
      ['string-key', 1],
      ['test-0921', 1],
    ]);
    for (const p of dir.partitions) {
      p.summary();
      p.offsetForTimestamp(0);
    }
    const missing = ['__consumer_offsets-36', 'string-key-0', 'test-0921-0'].map((p) => fixturePath('kafka-keyed', p, '00000000000000000000.index'));
    expect(dir.warnings.map((w) => w.file).sort()).toEqual(missing);
    expect(dir.warnings.every((w) => /missing/.test(w.message))).toBe(true);
    expect(dir.partition('test-0921', 0)!.summary().records).toBe(1521);
  });
});

it('LogFormatError carries file, position and reason', () => {
  const error = new LogFormatError({ file: 'a.log', position: 17 }, 'broken');
  expect([error.file, error.position, error.reason, error.message, error.name]).toEqual(['a.log', 17, 'broken', 'a.log at byte 17: broken', 'LogFormatError']);
});
