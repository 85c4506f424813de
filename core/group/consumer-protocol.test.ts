import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { decodeConsumerAssignment, decodeConsumerSubscription, decodeMemberProtocol } from './consumer-protocol';
import { decodeGroupMetadataValue } from './offsets-topic-records';
import { consumerAssignment, consumerSubscription } from './offsets-topic-encoder.test-support';
import { FIXTURE_LOGS, readFixtureRecords } from './fixture-records.test-support';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s·]/g, ''), 'hex');
const ascii = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

describe('decodeConsumerSubscription', () => {
  it('decodes a hand-written v0: topics and user data', () => {
    const bytes = hex(`0000 · 00000002 · 0001 ${ascii('a')} · 0002 ${ascii('bc')} · 00000003 010203`);
    expect(decodeConsumerSubscription(bytes)).toEqual({
      kind: 'decoded',
      value: {
        version: 0,
        topics: ['a', 'bc'],
        userData: hex('010203'),
        ownedPartitions: [],
        generationId: -1,
        rackId: null,
      },
    });
  });

  it('decodes v1 owned partitions, v2 generation and v3 rack', () => {
    const fields = {
      topics: ['orders', 'payments'],
      userData: null,
      ownedPartitions: [
        { topic: 'orders', partitions: [0, 2] },
        { topic: 'payments', partitions: [] },
      ],
      generationId: 12,
      rackId: 'eu-west-1a',
    };
    for (const version of [1, 2, 3]) {
      const result = decodeConsumerSubscription(consumerSubscription(version, fields));
      expect(result).toEqual({
        kind: 'decoded',
        value: {
          version,
          topics: ['orders', 'payments'],
          userData: null,
          ownedPartitions: fields.ownedPartitions,
          generationId: version >= 2 ? 12 : -1,
          rackId: version >= 3 ? 'eu-west-1a' : null,
        },
      });
    }
  });

  it('reads a version above 3 as v3 and ignores the fields it appends', () => {
    const bytes = Buffer.concat([consumerSubscription(5, { topics: ['t'], rackId: null, generationId: 4 }, 3), hex('deadbeef')]);
    expect(decodeConsumerSubscription(bytes)).toEqual({
      kind: 'decoded',
      value: { version: 5, topics: ['t'], userData: null, ownedPartitions: [], generationId: 4, rackId: null },
    });
  });

  it('keeps the raw bytes and a reason when the bytes are not the consumer protocol', () => {
    const bytes = Buffer.from('{"streams":"json"}');
    const result = decodeConsumerSubscription(bytes);
    expect(result.kind).toBe('undecodable');
    if (result.kind !== 'undecodable') return;
    expect(result.raw).toBe(bytes);
    expect(result.reason).toBe(
      'ConsumerProtocolSubscription.topics: array count 1937011301 at byte 2 needs at least 3874022602 bytes but the 18-byte subscription has 12 left',
    );

    const truncated = consumerSubscription(3, { topics: ['orders'] }).subarray(0, 9);
    const t = decodeConsumerSubscription(truncated);
    expect(t).toEqual({
      kind: 'undecodable',
      raw: truncated,
      reason: 'ConsumerProtocolSubscription.topics[0]: string length 6 at byte 6 runs past the end of the 9-byte subscription',
    });

    expect(decodeConsumerSubscription(hex('ffff 00000000 ffffffff'))).toMatchObject({
      kind: 'undecodable',
      reason: 'ConsumerProtocolSubscription.version: version -1 at byte 0 is negative',
    });
  });

  it('says empty for zero bytes', () => {
    expect(decodeConsumerSubscription(Buffer.alloc(0))).toEqual({ kind: 'empty' });
  });
});

describe('decodeConsumerAssignment', () => {
  it('decodes a hand-written v0', () => {
    const bytes = hex(`0000 · 00000001 · 0001 ${ascii('t')} · 00000002 00000000 00000003 · ffffffff`);
    expect(decodeConsumerAssignment(bytes)).toEqual({
      kind: 'decoded',
      value: { version: 0, assignedPartitions: [{ topic: 't', partitions: [0, 3] }], userData: null },
    });
  });

  it('decodes v1-v3 and later versions with the same fields', () => {
    const assigned = [
      { topic: 'orders', partitions: [1, 4, 7] },
      { topic: 'audit', partitions: [0] },
    ];
    for (const version of [1, 2, 3, 4]) {
      expect(decodeConsumerAssignment(consumerAssignment(version, assigned, Buffer.from('ud')))).toEqual({
        kind: 'decoded',
        value: { version, assignedPartitions: assigned, userData: Buffer.from('ud') },
      });
    }
  });

  it('keeps raw bytes and a reason on failure, and never throws', () => {
    const bad = hex('0001 00000001 0005 6162 0000');
    expect(decodeConsumerAssignment(bad)).toEqual({
      kind: 'undecodable',
      raw: bad,
      reason: 'ConsumerProtocolAssignment.assignedPartitions[0].topic: string length 5 at byte 6 runs past the end of the 12-byte assignment',
    });
    expect(decodeConsumerAssignment(Buffer.alloc(0))).toEqual({ kind: 'empty' });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (raw) => {
        const a = decodeConsumerAssignment(Buffer.from(raw));
        const s = decodeConsumerSubscription(Buffer.from(raw));
        expect(['decoded', 'undecodable']).toContain(a.kind);
        expect(['decoded', 'undecodable']).toContain(s.kind);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('decodeMemberProtocol', () => {
  it('decodes only the "consumer" protocol type and keeps other bytes as they are', () => {
    const sub = consumerSubscription(0, { topics: ['t'] });
    const asg = consumerAssignment(0, [{ topic: 't', partitions: [0] }]);
    expect(decodeMemberProtocol('consumer', sub, asg)).toMatchObject({
      subscription: { kind: 'decoded' },
      assignment: { kind: 'decoded' },
    });
    expect(decodeMemberProtocol('connect', sub, asg)).toEqual({
      subscription: { kind: 'opaque', raw: sub, protocolType: 'connect' },
      assignment: { kind: 'opaque', raw: asg, protocolType: 'connect' },
    });
  });

  it('decodes the member of kafka-3.7-kraft/__consumer_offsets-31 (subscription and assignment v3)', () => {
    const [record] = readFixtureRecords(`${FIXTURE_LOGS}/kafka-3.7-kraft/__consumer_offsets-31/00000000000000000000.log`);
    const value = decodeGroupMetadataValue(record?.value as Buffer);
    const m = value.members[0];
    if (!m) throw new Error('fixture member missing');
    expect(decodeMemberProtocol(value.protocolType, m.subscription, m.assignment)).toEqual({
      subscription: {
        kind: 'decoded',
        value: { version: 3, topics: ['topic_transactions'], userData: null, ownedPartitions: [], generationId: 1, rackId: null },
      },
      assignment: {
        kind: 'decoded',
        value: { version: 3, assignedPartitions: [{ topic: 'topic_transactions', partitions: [0] }], userData: null },
      },
    });
  });
});
