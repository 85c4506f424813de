import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isInternalTopic, parsePartitionDirName } from './partition-dir-name';

describe('parsePartitionDirName', () => {
  it('splits at the last dash, so topics may contain dashes', () => {
    expect(parsePartitionDirName('my-topic-12')).toEqual({ topic: 'my-topic', partition: 12 });
    expect(parsePartitionDirName('test0-2')).toEqual({ topic: 'test0', partition: 2 });
    expect(parsePartitionDirName('__consumer_offsets-49')).toEqual({ topic: '__consumer_offsets', partition: 49 });
    expect(parsePartitionDirName('a-b-c-0')).toEqual({ topic: 'a-b-c', partition: 0 });
    expect(parsePartitionDirName('topic.with.dots-3')).toEqual({ topic: 'topic.with.dots', partition: 3 });
    expect(parsePartitionDirName('x-2147483647')).toEqual({ topic: 'x', partition: 2_147_483_647 });
    expect(parsePartitionDirName('foo--1')).toEqual({ topic: 'foo-', partition: 1 });
  });

  it.each([
    'foo-0.0123456789abcdef0123456789abcdef-delete',
    'foo-1.abc-future',
    'foo-2.abc-stray',
    'notapartition',
    '-3',
    'foo-',
    'foo-1a',
    'foo-+1',
    'foo- 1',
    'foo-2147483648',
    '.tapedeck',
  ])('%s is not a partition', (name) => {
    expect(parsePartitionDirName(name)).toBeUndefined();
  });

  it('reads back any legal topic name and partition number', () => {
    const topicChar = fc.constantFrom(...'abcXYZ019._-'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: topicChar, minLength: 1, maxLength: 30 }).filter((t) => !t.startsWith('.')), fc.integer({ min: 0, max: 0x7fff_ffff }), (topic, partition) => {
        expect(parsePartitionDirName(`${topic}-${partition}`)).toEqual({ topic, partition });
      }),
    );
  });
});

describe('isInternalTopic', () => {
  it('marks the topics Kafka writes itself', () => {
    expect(isInternalTopic('__consumer_offsets')).toBe(true);
    expect(isInternalTopic('__cluster_metadata')).toBe(true);
    expect(isInternalTopic('_schemas')).toBe(false);
    expect(isInternalTopic('orders')).toBe(false);
  });
});
