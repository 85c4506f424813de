import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeControlKey, encodeEndTransactionValue } from '../../core/log/batch/control-record';
import { encodeRecordBatch } from '../../core/log/batch/record-batch-encoder';
import { CompressionCodec } from '../../core/log/compression/compression-codec';
import { writeSealedSegment } from '../../core/log/segment/sealed-segment-writer';

const repo = path.resolve(import.meta.dirname, '../..');
const fixtures = path.resolve(repo, '../shared/fixtures/kafka-logs');
const temp = mkdtempSync(path.join(os.tmpdir(), 'tapedeck-cli-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Runs the real command line, as a user would: a separate Node process through the bin script. */
function tapedeck(...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(repo, 'bin/tapedeck.mjs'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const jsonLines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('tapedeck --help', () => {
  it.each(['topics', 'dump', 'groups', 'demo'])('%s has its own help', (command) => {
    const { code, stdout } = tapedeck(command, '--help');
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: tapedeck ${command}`);
  });

  it('lists every command', () => {
    const { stdout } = tapedeck('--help');
    for (const command of ['topics', 'dump', 'groups', 'demo']) expect(stdout).toContain(command);
  });

  it('an unknown command is a usage error, not a crash', () => {
    const { code, stderr } = tapedeck('frobnicate');
    expect(code).toBe(1);
    expect(stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('tapedeck topics', () => {
  it('reports every partition of a real KRaft directory from its headers', () => {
    const { code, stdout } = tapedeck('topics', path.join(fixtures, 'kafka-3.7-kraft'), '--json');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { clusterId: string; nodeId: number; cleanShutdown: boolean; topics: { name: string; internal: boolean; partitions: Record<string, unknown>[] }[] };
    expect(doc.clusterId).toBe('0wHLXdrKStejkyBzi8qBEw');
    expect(doc.nodeId).toBe(1);
    expect(doc.cleanShutdown).toBe(true);
    expect(doc.topics[0]!.name).toBe('topic_transactions');
    const metadata = doc.topics.find((t) => t.name === '__cluster_metadata')!;
    expect(metadata.internal).toBe(true);
    expect(metadata.partitions[0]).toMatchObject({ startOffset: 1725413, nextOffset: 1737569, records: 12156, batches: 12105, bytes: 874344, segments: 1, codecs: ['none'] });
    expect(doc.topics.find((t) => t.name === '__consumer_offsets')!.partitions).toHaveLength(50);
    expect(doc.topics.find((t) => t.name === 'topic_transactions')!.partitions[0]).toMatchObject({ startOffset: 5, nextOffset: 5, records: 0 });
  });

  it('prints a table with a total line', () => {
    const { stdout } = tapedeck('topics', path.join(fixtures, 'kafka-keyed'), '--exclude-internal');
    expect(stdout).toMatch(/string-key\s+0\s+0\s+28162\s+28162/);
    expect(stdout).toMatch(/test-0921\s+0\s+0\s+1521\s+1521/);
    expect(stdout).toContain('2 topics, 2 partitions, 29683 records');
  });

  it('names the path when it is not a directory', () => {
    const { code, stderr } = tapedeck('topics', path.join(temp, 'nope'));
    expect(code).toBe(1);
    expect(stderr).toContain(`${path.join(temp, 'nope')}: no such directory`);
  });
});

describe('tapedeck dump', () => {
  it('prints one JSON object per record with the documented fields', () => {
    const { code, stdout } = tapedeck('dump', path.join(fixtures, 'kafka-0.11', 'test0-0'), '--json');
    expect(code).toBe(0);
    const records = jsonLines(stdout);
    expect(records).toHaveLength(11);
    expect(records[0]).toEqual({ topic: 'test0', partition: 0, offset: 0, timestamp: 1600054563906, timestampType: 'CreateTime', key: null, value: '1', headers: [] });
    expect(records.map((r) => r['offset'])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('dumps a whole log directory, one .log file, --from and --limit', () => {
    const all = jsonLines(tapedeck('dump', path.join(fixtures, 'kafka-0.11'), '--json').stdout);
    expect(all).toHaveLength(33);
    const file = jsonLines(tapedeck('dump', path.join(fixtures, 'kafka-0.11', 'test0-2', '00000000000000000000.log'), '--json').stdout);
    expect(file).toHaveLength(11);
    expect(file[0]).toMatchObject({ topic: 'test0', partition: 2 });
    const some = jsonLines(tapedeck('dump', path.join(fixtures, 'kafka-keyed', 'string-key-0'), '--json', '--from', '20000', '--limit', '5').stdout);
    expect(some.map((r) => r['offset'])).toEqual([20000, 20001, 20002, 20003, 20004]);
    // Batches at these offsets carry no timestamp (-1): it is shown as it is stored.
    expect(some[0]!['timestamp']).toBe(-1);
  });

  it('--raw prints base64 and keeps null as null; binary is never shown as text', () => {
    const raw = jsonLines(tapedeck('dump', path.join(fixtures, 'kafka-3.7-kraft', '__consumer_offsets-44'), '--json', '--raw').stdout);
    expect(raw.map((r) => r['offset'])).toEqual([6, 8, 9, 10]);
    const key = Buffer.from(raw[0]!['key'] as string, 'base64');
    expect(key.length).toBe(51);
    expect(key.subarray(4, 4 + 'rupia-transaction-group'.length).toString()).toBe('rupia-transaction-group');
    expect(raw[2]!['value']).toBeNull();
    const text = jsonLines(tapedeck('dump', path.join(fixtures, 'kafka-3.7-kraft', '__consumer_offsets-44'), '--json').stdout);
    expect(text[0]!['value']).toEqual({ base64: expect.any(String) });
  });

  it('leaves control records out unless --include-control, and shows headers and codecs', () => {
    const dir = path.join(temp, 'txn-0');
    const data = encodeRecordBatch({
      baseOffset: 0,
      producerId: 7,
      producerEpoch: 0,
      baseSequence: 0,
      isTransactional: true,
      compression: CompressionCodec.Zstd,
      records: [
        { key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: 1700000000000, headers: [{ key: 'h', value: Buffer.from('x') }] },
        { key: Buffer.from('k2'), value: Buffer.from([0xff, 0xfe]), timestamp: 1700000000001 },
      ],
    });
    const commit = encodeRecordBatch({ baseOffset: 0, producerId: 7, producerEpoch: 0, isTransactional: true, isControl: true, records: [{ key: encodeControlKey('COMMIT'), value: encodeEndTransactionValue(3), timestamp: 1700000000002 }] });
    writeSealedSegment(dir, 0, [data, commit]);
    const plain = jsonLines(tapedeck('dump', dir, '--json').stdout);
    expect(plain).toHaveLength(2);
    expect(plain[0]).toMatchObject({ topic: 'txn', key: 'k1', value: 'v1', headers: [{ key: 'h', value: 'x' }] });
    expect(plain[1]!['value']).toEqual({ base64: Buffer.from([0xff, 0xfe]).toString('base64') });
    const withControl = jsonLines(tapedeck('dump', dir, '--json', '--include-control').stdout);
    expect(withControl).toHaveLength(3);
    expect(withControl[2]).toMatchObject({ offset: 2, control: 'COMMIT' });
    const text = tapedeck('dump', dir).stdout;
    expect(text).toContain('compression: zstd');
    expect(text).toContain('isTransactional: true');
    expect(text).not.toContain('control: COMMIT');
  });

  it('a corrupt batch prints what came before it, then an error naming the file and byte', () => {
    const dir = path.join(temp, 'corrupt-0');
    cpSync(path.join(fixtures, 'kafka-0.11', 'test0-0'), dir, { recursive: true });
    const log = path.join(dir, '00000000000000000000.log');
    const bytes = readFileSync(log);
    // Batch 5 starts at 5 * 69 bytes; flip a bit in its value, which the CRC covers.
    bytes[5 * 69 + 67]! ^= 0x01;
    writeFileSync(log, bytes);
    const { code, stdout, stderr } = tapedeck('dump', dir, '--json');
    expect(code).toBe(1);
    expect(jsonLines(stdout)).toHaveLength(5);
    expect(stderr).toContain(`${log} at byte ${5 * 69 + 17}: CRC-32C mismatch`);
  });

  it('a torn last batch shows the valid prefix and a warning', () => {
    const dir = path.join(temp, 'torn-0');
    cpSync(path.join(fixtures, 'kafka-0.11', 'test0-0'), dir, { recursive: true });
    const log = path.join(dir, '00000000000000000000.log');
    writeFileSync(log, readFileSync(log).subarray(0, 757 - 30));
    const { code, stdout, stderr } = tapedeck('dump', dir, '--json');
    expect(code).toBe(0);
    expect(jsonLines(stdout)).toHaveLength(10);
    // The last batch starts at byte 688 (test0-0's batches are 68 or 69 bytes); it is reported once.
    expect(stderr).toContain(`${log} at byte 688: torn tail`);
    expect(stderr.split('torn tail').length - 1).toBe(1);
  });

  it('a file that is not a log is an error, not garbage', () => {
    const file = path.join(temp, 'notes.log');
    writeFileSync(file, 'These are my notes, not a Kafka log segment.\n'.repeat(3));
    const { code, stdout, stderr } = tapedeck('dump', file);
    expect(code).toBe(1);
    expect(stdout).not.toContain('offset:');
    expect(stderr).toMatch(new RegExp(`${file} at byte \\d+: `));
  });
});

describe('tapedeck groups', () => {
  it('shows committed offsets and lag from __consumer_offsets', () => {
    const { code, stdout } = tapedeck('groups', path.join(fixtures, 'kafka-keyed'), '--json');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { groups: { groupId: string; hasMetadata: boolean; totalLag: number; offsets: Record<string, unknown>[] }[] };
    expect(doc.groups).toHaveLength(1);
    expect(doc.groups[0]).toMatchObject({ groupId: 'flink-group', hasMetadata: false, totalLag: 1421 });
    expect(doc.groups[0]!.offsets[0]).toMatchObject({ topic: 'test-0921', partition: 0, offset: 100, logEndOffset: 1521, lag: 1421 });
  });

  it('applies tombstones: the KRaft directory keeps only the console consumer group', () => {
    const { stdout } = tapedeck('groups', path.join(fixtures, 'kafka-3.7-kraft'));
    expect(stdout).toContain('Group console-consumer-7889');
    expect(stdout).not.toContain('rupia-transaction-group');
  });
});

describe('tapedeck demo', () => {
  it('writes a demo workspace that the other commands read', () => {
    const dir = path.join(temp, 'demo');
    const { code, stdout } = tapedeck('demo', dir, '--orders', '200');
    expect(code).toBe(0);
    expect(stdout).toContain('Wrote the demo workspace');
    const doc = JSON.parse(tapedeck('topics', dir, '--json').stdout) as { topics: { name: string; partitions: { records: number; codecs: string[] }[] }[] };
    expect(doc.topics.map((t) => t.name)).toEqual(['audit-log', 'customers', 'orders', 'payments', 'shipments']);
    const codecs = new Set(doc.topics.flatMap((t) => t.partitions.flatMap((p) => p.codecs)));
    expect([...codecs].sort()).toEqual(['gzip', 'lz4', 'none', 'snappy', 'zstd']);
    const orders = jsonLines(tapedeck('dump', dir, '--topic', 'orders', '--json').stdout);
    expect(orders.length).toBeGreaterThanOrEqual(200);
    expect(JSON.parse(orders[0]!['value'] as string)).toMatchObject({ type: expect.stringMatching(/^Order/) });
    // A second run reuses the workspace instead of overwriting it.
    expect(tapedeck('demo', dir).stdout).toContain('Using the demo workspace');
  });
});
