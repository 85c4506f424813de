import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KCAT, requireKcat } from '../protocol/kcat.test-support';
import { byPartition, KCAT_RECORD_FORMAT, librdkafkaPartition, parseKcatRecords } from './kcat-records.test-support';
import type { KcatHeader, KcatRecord } from './kcat-records.test-support';
import { endOffsets, makeTempDir, removeTempDirs, runProcess, runTapedeck, startListener, startProcess, TAPEDECK_BIN } from './listener-harness.test-support';
import { versionsSeen } from './dispatch-spy.test-support';
import type { SeenVersions } from './dispatch-spy.test-support';
import type { RunningListener } from './listener-harness.test-support';

// The real dispatcher, wrapped to note which version of each API the client chose.
const negotiated: SeenVersions = vi.hoisted(() => new Map());
vi.mock('./request-dispatcher', async (importOriginal) => (await import('./dispatch-spy.test-support')).recordVersions(await importOriginal(), negotiated));

/**
 * The listener against kcat 1.7.1 on librdkafka 2.0.2, a client nobody here wrote: 100,000 keyed
 * records with headers produced and read back byte for byte, a consumer group, metadata, and the
 * same data seen through the CLI on both sides of the wire.
 */

const TOPIC = 'kcat-records';
const PARTITIONS = 3;
const RECORDS = 100_000;
/** The two produce runs differ in their headers (kcat's -H applies to every record of a run). */
const HEADERS_A: KcatHeader[] = [
  { key: 'trace', value: Buffer.from('alpha') },
  { key: 'ü', value: Buffer.from('ünï 漢字') },
  { key: 'dup', value: Buffer.from('1') },
  { key: 'dup', value: Buffer.from('2') },
];
const HEADERS_B: KcatHeader[] = [{ key: 'trace', value: Buffer.from('beta') }];

interface Sent {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly headers: readonly KcatHeader[];
}

/** Keys unique, values of many shapes: UTF-8 of 1-4 bytes, quotes, backslashes, a few empty or 10 KB. */
function makeRecords(): Sent[] {
  const shapes = ['plain', 'é', '漢字', '🎞️', '"quoted" \\ back\\slash', ' spaced  out ', '{"json":[1,2,3]}'];
  const sent: Sent[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const key = Buffer.from(`key-${i}-${(i * 2654435761) % 1000003}`);
    let value: Buffer;
    if (i % 9973 === 5) value = Buffer.alloc(0);
    else if (i % 25_000 === 7) value = Buffer.from(`big-${i}-${'x'.repeat(10_000)}`);
    else value = Buffer.from(`value-${i}-${shapes[i % shapes.length]!.repeat(1 + (i % 5))}`);
    sent.push({ key, value, headers: i < RECORDS / 2 ? HEADERS_A : HEADERS_B });
  }
  return sent;
}

const headerArgs = (headers: readonly KcatHeader[]) => headers.flatMap((h) => ['-H', `${h.key}=${h.value.toString('utf8')}`]);

/** What each partition must hold, in order: librdkafka sends a key to partition crc32(key) % n. */
function expectedByPartition(sent: readonly Sent[]): Map<number, Sent[]> {
  const map = new Map<number, Sent[]>();
  for (let p = 0; p < PARTITIONS; p++) map.set(p, []);
  for (const record of sent) map.get(librdkafkaPartition(record.key, PARTITIONS))!.push(record);
  return map;
}

function expectSameRecords(got: readonly KcatRecord[], sent: readonly Sent[]): void {
  expect(got.length).toBe(sent.length);
  const expected = expectedByPartition(sent);
  const actual = byPartition(got);
  for (const [partition, records] of expected) {
    const list = actual.get(partition) ?? [];
    expect(list.length, `partition ${partition}`).toBe(records.length);
    for (let i = 0; i < records.length; i++) {
      const want = records[i]!;
      const have = list[i]!;
      // Compared field by field (not with toEqual) so 100,000 records stay fast and a failure names the record.
      const where = `partition ${partition} offset ${i}`;
      if (have.offset !== i) expect(have.offset, where).toBe(i);
      if (!have.key?.equals(want.key)) expect(have.key?.toString('latin1'), `${where} key`).toBe(want.key.toString('latin1'));
      if (!have.value?.equals(want.value)) expect(have.value?.toString('latin1'), `${where} value`).toBe(want.value.toString('latin1'));
      if (have.headers.length !== want.headers.length || have.headers.some((h, j) => h.key !== want.headers[j]!.key || !h.value.equals(want.headers[j]!.value))) {
        expect(have.headers, `${where} headers`).toEqual(want.headers);
      }
    }
  }
}

let running: RunningListener;
let sent: Sent[];
let produceMs: number;

beforeAll(async () => {
  requireKcat();
  running = await startListener(makeTempDir('kcat-listener'), { defaultPartitions: PARTITIONS, initialRebalanceDelayMs: 500 });
  sent = makeRecords();
  const work = makeTempDir('kcat-input');
  const lines = (from: number, to: number) => Buffer.concat(sent.slice(from, to).flatMap((r) => [r.key, Buffer.from('\t'), r.value, Buffer.from('\n')]));
  writeFileSync(path.join(work, 'a.txt'), lines(0, RECORDS / 2));
  writeFileSync(path.join(work, 'b.txt'), lines(RECORDS / 2, RECORDS));
  const started = Date.now();
  for (const [file, headers] of [['a.txt', HEADERS_A], ['b.txt', HEADERS_B]] as const) {
    await runProcess(KCAT, ['-b', running.bootstrap, '-P', '-t', TOPIC, '-K', '\t', ...headerArgs(headers), '-l', path.join(work, file), '-X', 'linger.ms=5', '-X', 'batch.num.messages=10000']);
  }
  produceMs = Date.now() - started;
});

afterAll(async () => {
  await running?.stop();
  removeTempDirs();
});

describe('kcat against the listener', () => {
  it('stores the 100,000 records kcat produced, acknowledged, in the partitions it chose', () => {
    const ends = endOffsets(running.engine);
    expect(Object.keys(ends).sort()).toEqual([`${TOPIC}-0`, `${TOPIC}-1`, `${TOPIC}-2`]);
    const expected = expectedByPartition(sent);
    for (let p = 0; p < PARTITIONS; p++) expect(ends[`${TOPIC}-${p}`]).toBe(expected.get(p)!.length);
    expect(running.logs.filter((line) => !line.startsWith('auto-created'))).toEqual([]);
    expect(produceMs).toBeLessThan(30_000);
  });

  it('reads them back from the beginning byte for byte: keys, values, headers, per-partition order', async () => {
    const { stdout } = await runProcess(KCAT, ['-b', running.bootstrap, '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', KCAT_RECORD_FORMAT]);
    const got = parseKcatRecords(stdout);
    expectSameRecords(got, sent);
    // The CreateTime librdkafka stamped is kept: no record is older than the run that produced it.
    expect(got.every((r) => r.timestamp > 1_600_000_000_000)).toBe(true);
  });

  it('serves a consumer group: two members share the partitions, each record is delivered once, and the commits on close leave nothing for the next run', async () => {
    const group = 'kcat-group';
    const groupArgs = ['-b', running.bootstrap, '-G', group, '-X', 'auto.offset.reset=earliest', '-X', 'enable.auto.commit=true', '-X', 'auto.commit.interval.ms=100', '-e', '-q', '-f', '%p\\t%o\\n', TOPIC];
    const members = [startProcess(KCAT, groupArgs), startProcess(KCAT, groupArgs)];
    const results = await Promise.all(members.map((m) => m.done));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const seen = new Map<string, number>();
    for (const r of results) {
      for (const line of r.stdout.toString('utf8').split('\n').filter(Boolean)) seen.set(line, (seen.get(line) ?? 0) + 1);
    }
    expect(seen.size).toBe(RECORDS);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // Both members got work (the 500 ms initial delay lets the second join the first generation).
    expect(results.every((r) => r.stdout.length > 0)).toBe(true);

    // librdkafka commits what it delivered when the consumer closes, and waits for the answer
    // before leaving the group: by the time kcat exits, the commits are stored.
    const committed = running.listener.groups.fetchOffsets({ groupId: group, partitions: null }).offsets;
    const ends = endOffsets(running.engine);
    expect(Object.fromEntries(committed.map((o) => [`${o.topic}-${o.partition}`, o.offset]))).toEqual(ends);
    expect(running.listener.groups.describeGroup(group)).toMatchObject({ state: 'Empty', members: [] });

    const again = await runProcess(KCAT, groupArgs);
    expect(again.stdout.length).toBe(0);
  });

  it('lists metadata: this node as the only broker and controller, every topic with its partitions', async () => {
    const { nodeId } = running.engine;
    const json = JSON.parse((await runProcess(KCAT, ['-b', running.bootstrap, '-L', '-J'])).stdout.toString('utf8')) as {
      controllerid: number;
      brokers: { id: number; name: string }[];
      topics: { topic: string; error?: string; partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[] }[];
    };
    expect(json.controllerid).toBe(nodeId);
    expect(json.brokers).toEqual([{ id: nodeId, name: running.bootstrap }]);
    const topics = new Map(json.topics.map((t) => [t.topic, t]));
    expect([...topics.keys()].sort()).toEqual(running.engine.listTopics().map((t) => t.name).sort());
    for (const topic of running.engine.listTopics()) {
      const listed = topics.get(topic.name)!;
      expect(listed.error).toBeUndefined();
      expect(listed.partitions.map((p) => p.partition).sort((a, b) => a - b)).toEqual(Array.from({ length: topic.partitions }, (_, i) => i));
      for (const p of listed.partitions) expect(p).toMatchObject({ leader: nodeId, replicas: [{ id: nodeId }], isrs: [{ id: nodeId }] });
    }

    const text = (await runProcess(KCAT, ['-b', running.bootstrap, '-L', '-t', TOPIC])).stdout.toString('utf8');
    expect(text).toContain(' 1 brokers:');
    expect(text).toContain(`broker ${nodeId} at ${running.bootstrap} (controller)`);
    expect(text).toContain(`topic "${TOPIC}" with ${PARTITIONS} partitions:`);
    for (let p = 0; p < PARTITIONS; p++) expect(text).toContain(`partition ${p}, leader ${nodeId}, replicas: ${nodeId}, isrs: ${nodeId}`);
  });

  it('what kcat produced is what `tapedeck dump --json` prints from the directory while the listener runs', async () => {
    const { stdout: kcatOut } = await runProcess(KCAT, ['-b', running.bootstrap, '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', KCAT_RECORD_FORMAT]);
    const consumed = new Map(parseKcatRecords(kcatOut).map((r) => [`${r.partition}/${r.offset}`, r]));
    const { stdout } = await runProcess(process.execPath, [TAPEDECK_BIN, 'dump', running.dir, '--json', '--topic', TOPIC]);
    const dumped = stdout
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { partition: number; offset: number; timestamp: number; timestampType: string; key: string; value: string; headers: { key: string; value: string }[] });
    expect(dumped.length).toBe(RECORDS);
    const expected = expectedByPartition(sent);
    for (const record of dumped) {
      const want = expected.get(record.partition)![record.offset]!;
      const where = `${record.partition}/${record.offset}`;
      if (record.key !== want.key.toString('utf8') || record.value !== want.value.toString('utf8') || record.timestamp !== consumed.get(where)?.timestamp) {
        expect({ key: record.key, value: record.value, timestamp: record.timestamp }, where).toEqual({ key: want.key.toString('utf8'), value: want.value.toString('utf8'), timestamp: consumed.get(where)?.timestamp });
      }
      expect(record.timestampType).toBe('CreateTime');
      expect(record.headers.length).toBe(want.headers.length);
    }
    expect(dumped[0]!.headers).toEqual(expected.get(dumped[0]!.partition)![0]!.headers.map((h) => ({ key: h.key, value: h.value.toString('utf8') })));
  });

  it('reads exactly what `tapedeck produce` wrote before the listener started: offsets, timestamps, keys, values, headers', async () => {
    const dir = makeTempDir('kcat-cli-produce');
    const json = [
      { key: 'order-1', value: 'créé', headers: { source: 'web', empty: '' }, timestamp: 1_700_000_000_001, partition: 0 },
      { key: null, value: null, timestamp: 1_700_000_000_002, partition: 0 },
      { key: 'order-2', value: { total: 12.5, items: ['a', 'b'] }, timestamp: 1_700_000_000_003, partition: 1 },
      { key: '', value: 'tab\tand\nnewline', timestamp: 1_600_000_000_000, partition: 1 },
    ];
    expect(runTapedeck(['produce', dir, 'cli-topic', '--partitions', '2'], json.map((l) => JSON.stringify(l)).join('\n') + '\n').code).toBe(0);
    const binary = Buffer.from([0x00, 0xff, 0xfe, 0x09, 0x0a, 0x80]);
    const raw = { key: binary.toString('base64'), value: Buffer.concat([binary, binary]).toString('base64'), headers: { bin: Buffer.from([0xff, 0x01]).toString('base64') }, timestamp: 1_700_000_000_004, partition: 1 };
    expect(runTapedeck(['produce', dir, 'cli-topic', '--raw'], JSON.stringify(raw) + '\n').code).toBe(0);

    const served = await startListener(dir);
    try {
      const { stdout } = await runProcess(KCAT, ['-b', served.bootstrap, '-C', '-t', 'cli-topic', '-o', 'beginning', '-e', '-q', '-f', KCAT_RECORD_FORMAT]);
      const got = [...byPartition(parseKcatRecords(stdout))].sort(([a], [b]) => a - b).flatMap(([, list]) => list);
      const b = (text: string) => Buffer.from(text, 'utf8');
      expect(got).toEqual([
        { partition: 0, offset: 0, timestamp: 1_700_000_000_001, key: b('order-1'), value: b('créé'), headers: [{ key: 'source', value: b('web') }, { key: 'empty', value: b('') }] },
        { partition: 0, offset: 1, timestamp: 1_700_000_000_002, key: null, value: null, headers: [] },
        { partition: 1, offset: 0, timestamp: 1_700_000_000_003, key: b('order-2'), value: b('{"total":12.5,"items":["a","b"]}'), headers: [] },
        { partition: 1, offset: 1, timestamp: 1_600_000_000_000, key: b(''), value: b('tab\tand\nnewline'), headers: [] },
        { partition: 1, offset: 2, timestamp: 1_700_000_000_004, key: binary, value: Buffer.concat([binary, binary]), headers: [{ key: 'bin', value: Buffer.from([0xff, 0x01]) }] },
      ]);
    } finally {
      await served.stop();
    }
  });

  it('negotiated the versions reference §6.4 lists for it', () => {
    expect(versionsSeen(negotiated)).toMatchObject({ ApiVersions: [3], Metadata: [4], Produce: [7], Fetch: [11], ListOffsets: [2], FindCoordinator: [2], JoinGroup: [5], SyncGroup: [3], Heartbeat: [3], LeaveGroup: [1], OffsetCommit: [7], OffsetFetch: [7] });
  });
});
