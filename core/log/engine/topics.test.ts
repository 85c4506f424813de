import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError, type EngineErrorCode } from './engine-error';
import { crash, FakeClock, readAll, recordListing, recs, useEngines, valuesOf } from './engine.test-support';
import { LogEngine } from './log-engine';
import { DEFAULT_TOPIC_CONFIG, parseTopicConfig, type TopicConfig, TopicConfigError } from './topic-config';
import { topicNameProblem } from './topic-name';

const engines = useEngines();

function engineError(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected an EngineError, but nothing was thrown');
}

function expectCode(fn: () => unknown, code: EngineErrorCode, message?: RegExp | string): EngineError {
  const error = engineError(fn);
  expect(error.code, error.message).toBe(code);
  if (message !== undefined) expect(error.message).toMatch(message);
  return error;
}

/** A value for every key that differs from the default and passes validation. */
const EVERY_KEY: { [K in keyof TopicConfig]: TopicConfig[K] } = {
  'cleanup.policy': 'compact,delete',
  'segment.bytes': 1 << 20,
  'segment.ms': 3_600_000,
  'segment.index.bytes': 4096,
  'index.interval.bytes': 512,
  'retention.ms': 60_000,
  'retention.bytes': 1 << 24,
  'delete.retention.ms': 1000,
  'min.compaction.lag.ms': 5000,
  'max.message.bytes': 100_000,
  'message.timestamp.type': 'LogAppendTime',
  'flush.messages': 10,
  'flush.ms': 250,
};

describe('creating topics', () => {
  it('creates the partitions folders with the default config', () => {
    const engine = engines.fresh();
    const topic = engine.createTopic('orders', { partitions: 3 });
    expect(topic).toMatchObject({ name: 'orders', partitions: 3, config: DEFAULT_TOPIC_CONFIG });
    expect(topic.topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    for (let p = 0; p < 3; p++) {
      const dir = path.join(engine.dir, `orders-${p}`);
      expect(readdirSync(dir).sort()).toEqual(['00000000000000000000.index', '00000000000000000000.log', '00000000000000000000.timeindex', 'leader-epoch-checkpoint', 'partition.metadata']);
      expect(engine.endOffset('orders', p)).toBe(0);
      expect(engine.startOffset('orders', p)).toBe(0);
    }
    expect(engine.describeTopic('orders')).toEqual(topic);
    expect(engine.listTopics().map((t) => t.name)).toEqual(['orders']);
  });

  it('takes an override for every config key, as numbers or as strings', () => {
    const engine = engines.fresh();
    const asNumbers = engine.createTopic('numbers', { config: EVERY_KEY });
    expect(asNumbers.config).toEqual(EVERY_KEY);
    const asStrings = engine.createTopic('strings', { config: Object.fromEntries(Object.entries(EVERY_KEY).map(([k, v]) => [k, String(v)])) });
    expect(asStrings.config).toEqual(EVERY_KEY);
    // The test covers every key the engine knows.
    expect(Object.keys(EVERY_KEY).sort()).toEqual(Object.keys(DEFAULT_TOPIC_CONFIG).sort());
  });

  it('normalises cleanup.policy lists as Kafka accepts them', () => {
    expect(parseTopicConfig({ 'cleanup.policy': 'delete, compact' })['cleanup.policy']).toBe('compact,delete');
    expect(parseTopicConfig({ 'retention.ms': ' -1 ' })['retention.ms']).toBe(-1);
  });

  it.each([
    ['', /empty/],
    ['.', /not a legal topic name/],
    ['..', /not a legal topic name/],
    ['x'.repeat(250), /at most 249/],
    ['has space', /contains ' '/],
    ['slash/name', /contains '\/'/],
    ['colon:name', /contains ':'/],
    ['caf\u00e9', /contains/],
    ['tab\tname', /contains/],
  ])('refuses the topic name %j (Kafka Topic.validate)', (name, message) => {
    const engine = engines.fresh();
    expectCode(() => engine.createTopic(name), 'INVALID_TOPIC', message);
    expect(engine.listTopics()).toEqual([]);
    expect(readdirSync(engine.dir).filter((f) => !f.startsWith('.') && !f.endsWith('checkpoint') && f !== 'meta.properties')).toEqual([]);
  });

  it('accepts every name Kafka accepts', () => {
    for (const name of ['a', 'x'.repeat(249), 'Orders_v2.1-eu', '__consumer_offsets', '...', '-', '_']) expect(topicNameProblem(name), name).toBeUndefined();
    const engine = engines.fresh();
    engine.createTopic('my-topic-1', { partitions: 2 });
    engine.createTopic('...');
    expect(engine.listTopics().map((t) => t.name)).toEqual(['...', 'my-topic-1']);
    engine.close();
    expect(engines.open(engine.dir).listTopics().map((t) => `${t.name}/${t.partitions}`)).toEqual(['.../1', 'my-topic-1/2']);
  });

  it('creates, reopens and deletes a topic with the longest legal name (249 characters)', () => {
    const name = 'x'.repeat(249);
    const engine = engines.fresh();
    engine.createTopic(name, { partitions: 2 });
    engine.appendRecords(name, 1, recs(2, 'long'));
    engine.close();
    const again = engines.open(engine.dir);
    expect(valuesOf(readAll(again, name, 1))).toEqual(['long0', 'long1']);
    again.deleteTopic(name);
    expect(readdirSync(again.dir).filter((f) => f.startsWith('xxx'))).toEqual([]);
  });

  it('deletes a topic whose name is too long for an untruncated `-delete` folder name (Kafka truncates it)', () => {
    const name = 'y'.repeat(230);
    const engine = engines.fresh();
    engine.createTopic(name, { partitions: 1 });
    engine.appendRecords(name, 0, recs(1, 'v'));
    engine.deleteTopic(name);
    expect(engine.describeTopic(name)).toBeUndefined();
    expect(readdirSync(engine.dir).filter((f) => f.startsWith('yyy'))).toEqual([]);
  });

  it('refuses a duplicate topic and leaves the first one as it was', () => {
    const engine = engines.fresh();
    const first = engine.createTopic('dup', { partitions: 2 });
    engine.appendRecords('dup', 1, recs(3, 'v'));
    expectCode(() => engine.createTopic('dup', { partitions: 5 }), 'TOPIC_ALREADY_EXISTS', /'dup'/);
    expect(engine.describeTopic('dup')).toEqual(first);
    expect(valuesOf(readAll(engine, 'dup', 1))).toEqual(['v0', 'v1', 'v2']);
  });

  it.each([0, -1, 1.5, Number.NaN, 10001])('refuses %s partitions', (partitions) => {
    const engine = engines.fresh();
    expectCode(() => engine.createTopic('t', { partitions }), 'INVALID_PARTITIONS', new RegExp(String(partitions)));
    expect(engine.describeTopic('t')).toBeUndefined();
    expect(existsSync(path.join(engine.dir, 't-0'))).toBe(false);
  });

  it('refuses an unknown config key, naming it', () => {
    const engine = engines.fresh();
    const error = expectCode(() => engine.createTopic('t', { config: { 'retention.msec': 1 } }), 'INVALID_CONFIG', /retention\.msec/);
    expect(error.message).toMatch(/unknown/);
    expect(engine.describeTopic('t')).toBeUndefined();
    expect(existsSync(path.join(engine.dir, 't-0'))).toBe(false);
  });

  it.each([
    ['cleanup.policy', 'forever'],
    ['cleanup.policy', ''],
    ['segment.bytes', 13],
    ['segment.bytes', 'big'],
    ['segment.bytes', '1e6'],
    ['segment.ms', 0],
    ['segment.index.bytes', 7],
    ['index.interval.bytes', -1],
    ['retention.ms', -2],
    ['retention.ms', 1.5],
    ['retention.bytes', -2],
    ['delete.retention.ms', -1],
    ['min.compaction.lag.ms', -1],
    ['max.message.bytes', -1],
    ['message.timestamp.type', 'BrokerTime'],
    ['flush.messages', 0],
    ['flush.ms', -1],
    ['segment.bytes', '9007199254740993'],
  ])('refuses %s=%j, naming the key', (key, value) => {
    const engine = engines.fresh();
    expectCode(() => engine.createTopic('t', { config: { [key]: value } }), 'INVALID_CONFIG', new RegExp(key.replaceAll('.', '\\.')));
    expect(engine.describeTopic('t')).toBeUndefined();
    expect(() => parseTopicConfig({ [key]: value })).toThrow(TopicConfigError);
  });
});

describe('topics across restarts', () => {
  it('keeps topics, partition counts, ids and configs over close and reopen', () => {
    const first = engines.fresh();
    const dir = first.dir;
    const a = first.createTopic('alpha', { partitions: 2, config: EVERY_KEY });
    const b = first.createTopic('beta', { partitions: 1, config: { 'retention.ms': -1, 'cleanup.policy': 'compact' } });
    const c = first.createTopic('gamma', { partitions: 4 });
    first.close();
    const second = engines.open(dir);
    expect(second.listTopics()).toEqual([a, b, c]);
    second.close();
    // After a crash, too.
    const third = engines.open(dir);
    crash(third);
    const fourth = engines.open(dir);
    expect(fourth.listTopics()).toEqual([a, b, c]);
  });

  it('names the file when a topic settings file is damaged (DESIGN: errors say which file), and releases the lock', () => {
    const engine = engines.fresh();
    engine.createTopic('t');
    engine.close();
    const settings = path.join(engine.dir, '.tapedeck', 'topics', 't.json');
    for (const damaged of ['{"name": "t", "partitions": ', '{"name": "t", "partitions": 1, "config": {"segment.bytes": 5}}']) {
      writeFileSync(settings, damaged);
      expect(() => LogEngine.open(engine.dir, { maintenanceIntervalMs: 0 })).toThrow(settings);
      expect(existsSync(path.join(engine.dir, '.tapedeck', 'writer.lock'))).toBe(false);
    }
  });

  it('keeps a topic created but never written to', () => {
    const engine = engines.fresh();
    engine.createTopic('quiet', { partitions: 3, config: { 'segment.bytes': 2048 } });
    engine.close();
    const again = engines.open(engine.dir);
    expect(again.describeTopic('quiet')).toMatchObject({ partitions: 3, config: { 'segment.bytes': 2048 } });
    expect(again.endOffset('quiet', 2)).toBe(0);
  });
});

describe('__consumer_offsets', () => {
  it('is compacted by default when created through the engine, and stays so after a restart', () => {
    const engine = engines.fresh();
    const created = engine.createTopic('__consumer_offsets', { partitions: 2 });
    expect(created.config['cleanup.policy']).toBe('compact');
    engine.close();
    const again = engines.open(engine.dir);
    expect(again.describeTopic('__consumer_offsets')!.config).toEqual(created.config);
  });

  it('found on disk without settings (a Kafka directory) is compacted', () => {
    const dir = engines.copyFixture('kafka-3.7-kraft');
    const engine = engines.open(dir);
    expect(engine.describeTopic('__consumer_offsets')).toMatchObject({ partitions: 50, config: { 'cleanup.policy': 'compact' } });
    expect(engine.describeTopic('topic_transactions')!.config['cleanup.policy']).toBe('delete');
  });

  it('keeps an explicit cleanup.policy=delete over a restart', () => {
    const engine = engines.fresh();
    const created = engine.createTopic('__consumer_offsets', { config: { 'cleanup.policy': 'delete' } });
    expect(created.config['cleanup.policy']).toBe('delete');
    engine.close();
    expect(engines.open(engine.dir).describeTopic('__consumer_offsets')!.config['cleanup.policy']).toBe('delete');
  });
});

describe('deleting topics', () => {
  it('removes the data and the partition folders, leaving no -delete folder', () => {
    const engine = engines.fresh();
    engine.createTopic('doomed', { partitions: 3, config: { 'segment.bytes': 200 } });
    engine.createTopic('kept');
    for (let p = 0; p < 3; p++) engine.appendRecords('doomed', p, recs(5, 'x', { size: 50 }));
    engine.appendRecords('kept', 0, recs(2, 'k'));
    engine.deleteTopic('doomed');
    expect(readdirSync(engine.dir).filter((f) => f.startsWith('doomed'))).toEqual([]);
    expect(existsSync(path.join(engine.dir, '.tapedeck', 'topics', 'doomed.json'))).toBe(false);
    expect(engine.describeTopic('doomed')).toBeUndefined();
    expectCode(() => engine.read('doomed', 0, { fromOffset: 0 }), 'UNKNOWN_TOPIC_OR_PARTITION');
    expectCode(() => engine.appendRecords('doomed', 0, recs(1, 'x')), 'UNKNOWN_TOPIC_OR_PARTITION');
    const checkpoint = readFileSync(path.join(engine.dir, 'recovery-point-offset-checkpoint'), 'utf8');
    expect(checkpoint).not.toContain('doomed');
    expect(valuesOf(readAll(engine, 'kept'))).toEqual(['k0', 'k1']);
    expectCode(() => engine.deleteTopic('doomed'), 'UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('lets the topic be created again, empty, with a new id, also after a restart', () => {
    const engine = engines.fresh();
    const before = engine.createTopic('again', { partitions: 2 });
    engine.appendRecords('again', 0, recs(4, 'old'));
    engine.deleteTopic('again');
    const after = engine.createTopic('again', { partitions: 1 });
    expect(after.topicId).not.toBe(before.topicId);
    expect(engine.endOffset('again', 0)).toBe(0);
    expect(readAll(engine, 'again')).toEqual([]);
    expect(existsSync(path.join(engine.dir, 'again-1'))).toBe(false);
    engine.appendRecords('again', 0, recs(1, 'new'));
    engine.close();
    const reopened = engines.open(engine.dir);
    expect(reopened.describeTopic('again')).toEqual(after);
    expect(valuesOf(readAll(reopened, 'again'))).toEqual(['new0']);
  });
});

describe('directories copied off Kafka', () => {
  it.each(['kafka-3.7-kraft', 'kafka-0.11', 'kafka-keyed'])('%s opens without losing a record and takes appends', (fixture) => {
    const dir = engines.copyFixture(fixture);
    const before = recordListing(dir);
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const engine = engines.open(dir, { now: clock.now });
    // Only kafka-keyed lacks the clean-shutdown marker; its logs are whole, so nothing is cut.
    expect(engine.recovery).toEqual([]);
    for (const topic of engine.listTopics()) {
      for (let p = 0; p < topic.partitions; p++) {
        const name = `${topic.name}-${p}`;
        expect(engine.endOffset(topic.name, p), name).toBe(before.partitions[name]!.length ? Number(before.partitions[name]!.at(-1)!.split(' ')[0]) + 1 : engine.startOffset(topic.name, p));
      }
    }
    engine.close();
    const reopened = recordListing(dir);
    expect(reopened.partitions).toEqual(before.partitions);
    expect(reopened.warnings).toEqual([]);

    const again = engines.open(dir, { now: clock.now });
    const target = { 'kafka-3.7-kraft': 'topic_transactions', 'kafka-0.11': 'test0', 'kafka-keyed': 'test-0921' }[fixture]!;
    const end = again.endOffset(target, 0);
    const result = again.appendRecords(target, 0, recs(3, 'appended'));
    expect(result).toMatchObject({ baseOffset: end, lastOffset: end + 2 });
    again.close();
    const after = recordListing(dir);
    expect(after.warnings).toEqual([]);
    for (const [name, lines] of Object.entries(before.partitions)) {
      if (name !== `${target}-0`) expect(after.partitions[name], name).toEqual(lines);
    }
    expect(after.partitions[`${target}-0`]!.slice(0, -3)).toEqual(before.partitions[`${target}-0`]);
    expect(after.partitions[`${target}-0`]!.slice(-3).map((l) => Number(l.split(' ')[0]))).toEqual([end, end + 1, end + 2]);
  });

  it('recovers kafka-keyed (no clean-shutdown marker) and rebuilds its missing indexes as a broker would', () => {
    const dir = engines.copyFixture('kafka-keyed');
    const engine = engines.open(dir);
    expect(engine.recovery).toEqual([]);
    expect(engine.endOffset('string-key', 0)).toBe(28162);
    expect(engine.endOffset('test-0921', 0)).toBe(1521);
    expect(engine.endOffset('__consumer_offsets', 36)).toBe(16);
    // Recovery wrote the indexes the fixture lacks.
    expect(existsSync(path.join(dir, 'string-key-0', '00000000000000000000.index'))).toBe(true);
    expect(existsSync(path.join(dir, 'test-0921-0', '00000000000000000000.timeindex'))).toBe(true);
  });

  it('leaves the Kafka-written indexes of kafka-3.7-kraft byte for byte as they were after open and close', () => {
    const dir = engines.copyFixture('kafka-3.7-kraft');
    const files = ['__cluster_metadata-0/00000000000001725413.index', '__cluster_metadata-0/00000000000001725413.timeindex', '__consumer_offsets-31/00000000000000000003.timeindex', '__consumer_offsets-44/00000000000000000009.timeindex'];
    const before = files.map((f) => readFileSync(path.join(dir, f)).toString('hex'));
    const engine = engines.open(dir);
    engine.close();
    expect(files.map((f) => readFileSync(path.join(dir, f)).toString('hex'))).toEqual(before);
  });

  it('keeps the log start of a partition emptied by retention (topic_transactions starts at 5)', () => {
    const dir = engines.copyFixture('kafka-3.7-kraft');
    const engine = engines.open(dir);
    expect(engine.startOffset('topic_transactions', 0)).toBe(5);
    expect(engine.endOffset('topic_transactions', 0)).toBe(5);
    expect(engine.read('topic_transactions', 0, { fromOffset: 5 })).toEqual([]);
    expect(engine.endOffset('__consumer_offsets', 31)).toBe(5);
    expect(engine.read('__consumer_offsets', 31, { fromOffset: 0 }).map((r) => r.record.offset)).toEqual([2, 3, 4]);
  });

  it('refuses to open a missing directory without create', () => {
    const missing = path.join(engines.dir(), 'nope');
    expect(() => LogEngine.open(missing)).toThrow(/no such directory/);
    expect(existsSync(missing)).toBe(false);
  });
});
