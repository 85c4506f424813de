import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeConsumerAssignment, decodeConsumerSubscription } from './consumer-protocol';
import { encodeConsumerAssignment, encodeConsumerSubscription } from './consumer-protocol-encoder';
import { consumerAssignment, consumerSubscription } from './offsets-topic-encoder.test-support';
import { FIXTURE_LOGS, readFixtureRecords } from './fixture-records.test-support';
import { decodeGroupMetadataValue } from './offsets-topic-records';

const topic = fc.string({ maxLength: 12 });
const topicPartitions = fc.array(
  fc.record({ topic, partitions: fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { maxLength: 5 }) }),
  { maxLength: 4 },
);
const userData = fc.option(
  fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)),
  { nil: null },
);

describe('ConsumerProtocolSubscription v1', () => {
  it('round-trips and matches the test encoder', () => {
    fc.assert(
      fc.property(fc.array(topic, { maxLength: 5 }), userData, topicPartitions, (topics, ud, ownedPartitions) => {
        const bytes = encodeConsumerSubscription({ topics, userData: ud, ownedPartitions });
        expect(decodeConsumerSubscription(bytes)).toEqual({
          kind: 'decoded',
          value: { version: 1, topics, userData: ud, ownedPartitions, generationId: -1, rackId: null },
        });
        expect(bytes.equals(consumerSubscription(1, { topics, userData: ud, ownedPartitions }))).toBe(true);
      }),
    );
  });
});

describe('ConsumerProtocolAssignment v1', () => {
  it('round-trips and matches the test encoder', () => {
    fc.assert(
      fc.property(topicPartitions, userData, (assignedPartitions, ud) => {
        const bytes = encodeConsumerAssignment({ assignedPartitions, userData: ud });
        expect(decodeConsumerAssignment(bytes)).toEqual({ kind: 'decoded', value: { version: 1, assignedPartitions, userData: ud } });
        expect(bytes.equals(consumerAssignment(1, assignedPartitions, ud))).toBe(true);
      }),
    );
  });

  it('has the layout of the assignment a Kafka 3.7 console consumer received, but for the version', () => {
    const [record] = readFixtureRecords(`${FIXTURE_LOGS}/kafka-3.7-kraft/__consumer_offsets-31/00000000000000000000.log`);
    const stored = decodeGroupMetadataValue(record?.value as Buffer).members[0]?.assignment as Buffer;
    const bytes = encodeConsumerAssignment({ assignedPartitions: [{ topic: 'topic_transactions', partitions: [0] }] });
    expect(stored.readInt16BE(0)).toBe(3);
    expect(bytes.subarray(2).equals(stored.subarray(2))).toBe(true);
  });
});
