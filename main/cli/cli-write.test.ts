import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogDirectory } from '../../core/log/logdir/log-directory';
import { partitionForKey } from '../../core/log/partitioner/murmur2';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin/tapedeck.mjs');
const temp = mkdtempSync(path.join(os.tmpdir(), 'tapedeck-cli-write-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function tapedeck(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input, maxBuffer: 64 << 20 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const lines = (...objects: object[]) => objects.map((o) => JSON.stringify(o)).join('\n') + '\n';
const jsonLines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('tapedeck topic', () => {
  it('creates a topic with partitions and config, refuses a duplicate and bad names, deletes it', () => {
    const dir = path.join(temp, 'topics');
    const created = tapedeck(['topic', 'create', dir, 'orders', '--partitions', '3', '--config', 'segment.bytes=1048576', '--config', 'cleanup.policy=compact']);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created topic orders with 3 partitions');
    expect(existsSync(path.join(dir, 'orders-2', '00000000000000000000.log'))).toBe(true);
    const stored = JSON.parse(readFileSync(path.join(dir, '.tapedeck', 'topics', 'orders.json'), 'utf8')) as { config: Record<string, unknown> };
    expect(stored.config).toEqual({ 'segment.bytes': 1048576, 'cleanup.policy': 'compact' });
    expect(tapedeck(['topic', 'create', dir, 'orders']).stderr).toContain("topic 'orders' already exists");
    expect(tapedeck(['topic', 'create', dir, 'a b']).stderr).toContain("contains ' ' at 1");
    expect(tapedeck(['topic', 'create', dir, 'x', '--config', 'retention.ms=soon']).stderr).toContain("config retention.ms: 'soon' is not an integer");
    expect(tapedeck(['topic', 'create', dir, 'x', '--partitions', '0']).code).not.toBe(0);
    const deleted = tapedeck(['topic', 'delete', dir, 'orders']);
    expect(deleted.code).toBe(0);
    expect(existsSync(path.join(dir, 'orders-0'))).toBe(false);
    expect(tapedeck(['topic', 'delete', dir, 'orders']).stderr).toContain("unknown topic 'orders'");
  });
});

describe('tapedeck produce', () => {
  it('stores JSON lines: strings as UTF-8, other values as JSON text, headers, timestamps, keys by murmur2', () => {
    const dir = path.join(temp, 'produce');
    const input = lines(
      { key: 'order-1', value: { total: 12.5 }, headers: { source: 'web' }, timestamp: 1700000000000 },
      { key: 'order-2', value: 'plain text' },
      { key: null, value: null, partition: 1 },
      { key: 'order-1', value: [1, 2, 3] },
    );
    const produced = tapedeck(['produce', dir, 'orders', '--partitions', '4'], input);
    expect(produced.code).toBe(0);
    expect(produced.stdout).toContain('Produced 4 records to orders:');
    const p1 = partitionForKey(Buffer.from('order-1'), 4);
    expect(produced.stdout).toMatch(new RegExp(`partition ${p1}: \\d+ records`));
    const records = jsonLines(tapedeck(['dump', dir, '--json']).stdout);
    const first = records.filter((r) => r['key'] === 'order-1');
    expect(first.map((r) => r['partition'])).toEqual([p1, p1]);
    expect(first.map((r) => r['value'])).toEqual(['{"total":12.5}', '[1,2,3]']);
    expect(first[0]).toMatchObject({ timestamp: 1700000000000, headers: [{ key: 'source', value: 'web' }] });
    expect(records.find((r) => r['key'] === null)).toMatchObject({ partition: 1, value: null });
  });

  it('--raw takes base64 and stores the exact bytes', () => {
    const dir = path.join(temp, 'raw');
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe]);
    expect(tapedeck(['produce', dir, 'bin', '--raw'], lines({ key: bytes.toString('base64'), value: bytes.toString('base64'), headers: { h: bytes.toString('base64') } })).code).toBe(0);
    const [record] = jsonLines(tapedeck(['dump', dir, '--json', '--raw']).stdout);
    expect(record).toMatchObject({ key: bytes.toString('base64'), value: bytes.toString('base64'), headers: [{ key: 'h', value: bytes.toString('base64') }] });
    expect(tapedeck(['produce', dir, 'bin', '--raw'], lines({ key: 'not base64!', value: null })).stderr).toContain('stdin line 1, column 2: key must be a base64 string with --raw');
  });

  it('a bad line stops with line and column; the lines before it stay stored', () => {
    const dir = path.join(temp, 'badline');
    const input = `${lines({ key: 'a', value: '1' }, { key: 'b', value: '2' })}{"key": "c", "value": oops}\n${lines({ key: 'd', value: '4' })}`;
    const result = tapedeck(['produce', dir, 'events'], input);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('stdin line 3, column 23: not valid JSON');
    expect(result.stdout).toContain('Produced 2 records to events');
    const stored = jsonLines(tapedeck(['dump', dir, '--json']).stdout).map((r) => r['key']);
    expect(stored).toEqual(['a', 'b']);
    expect(tapedeck(['produce', dir, 'events'], lines({ key: 'e', value: 1, timestamp: 'noon' })).stderr).toContain('timestamp must be milliseconds');
  });

  it('a record over max.message.bytes is refused with a clear error and nothing is stored', () => {
    const dir = path.join(temp, 'toolarge');
    tapedeck(['topic', 'create', dir, 'small', '--config', 'max.message.bytes=200']);
    const result = tapedeck(['produce', dir, 'small'], lines({ key: 'k', value: 'x'.repeat(500) }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/over small-0's max.message.bytes of 200/);
    expect(LogDirectory.open(dir).partition('small', 0)!.summary().records).toBe(0);
  });
});

describe('tapedeck consume', () => {
  const dir = path.join(temp, 'consume');

  it('reads from the beginning in time order across partitions, by offset, by time, with a limit', () => {
    const input = lines(...Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 7}`, value: `v${i}`, timestamp: 1700000000000 + i * 1000 })));
    tapedeck(['produce', dir, 'clicks', '--partitions', '3'], input);
    const all = jsonLines(tapedeck(['consume', dir, 'clicks', '--from-beginning', '--json']).stdout);
    expect(all.map((r) => r['value'])).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`));
    expect(tapedeck(['consume', dir, 'clicks']).stdout).toBe('');
    const late = jsonLines(tapedeck(['consume', dir, 'clicks', '--time', new Date(1700000000000 + 25_000).toISOString(), '--json']).stdout);
    expect(late.map((r) => r['value'])).toEqual(['v25', 'v26', 'v27', 'v28', 'v29']);
    const p0 = jsonLines(tapedeck(['consume', dir, 'clicks', '--partition', '0', '--offset', '1', '--limit', '2', '--json']).stdout);
    expect(p0.map((r) => [r['partition'], r['offset']])).toEqual([
      [0, 1],
      [0, 2],
    ]);
    expect(tapedeck(['consume', dir, 'clicks', '--offset', '1']).stderr).toContain('--offset needs --partition');
    expect(tapedeck(['consume', dir, 'nope', '--from-beginning']).stderr).toContain("unknown topic 'nope'");
  });

  it('--group resumes from the committed offsets; a second group reads independently', () => {
    const group = path.join(temp, 'group');
    tapedeck(['produce', group, 'jobs', '--partitions', '2'], lines(...Array.from({ length: 12 }, (_, i) => ({ key: `job-${i}`, value: `run ${i}` }))));
    const first = jsonLines(tapedeck(['consume', group, 'jobs', '--group', 'workers', '--from-beginning', '--json', '--limit', '5']).stdout);
    const rest = jsonLines(tapedeck(['consume', group, 'jobs', '--group', 'workers', '--from-beginning', '--json']).stdout);
    expect(first).toHaveLength(5);
    const seen = [...first, ...rest].map((r) => r['value']).sort();
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `run ${i}`).sort());
    expect(tapedeck(['consume', group, 'jobs', '--group', 'workers', '--json']).stdout).toBe('');
    expect(jsonLines(tapedeck(['consume', group, 'jobs', '--group', 'auditors', '--from-beginning', '--json']).stdout)).toHaveLength(12);
    const groups = JSON.parse(tapedeck(['groups', group, '--json']).stdout) as { groups: { groupId: string; totalLag: number }[] };
    expect(groups.groups.map((g) => [g.groupId, g.totalLag])).toEqual([
      ['auditors', 0],
      ['workers', 0],
    ]);
    expect(tapedeck(['consume', group, 'jobs', '--group', 'w', '--offset', '3']).stderr).toContain('does not combine with --offset');
  });

  it('--follow prints records another process appends while it runs', async () => {
    const follower = spawn(process.execPath, [bin, 'consume', dir, 'clicks', '--follow', '--json', '--limit', '2']);
    let output = '';
    follower.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number>((resolve) => follower.on('exit', (code) => resolve(code ?? -1)));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    tapedeck(['produce', dir, 'clicks'], lines({ key: 'live', value: 'one', partition: 0 }, { key: 'live', value: 'two', partition: 0 }));
    const timeout = setTimeout(() => follower.kill('SIGKILL'), 15_000);
    expect(await exited).toBe(0);
    clearTimeout(timeout);
    expect(jsonLines(output).map((r) => r['value'])).toEqual(['one', 'two']);
  });
});
