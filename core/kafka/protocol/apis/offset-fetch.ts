import { ApiKey } from '../api-keys';
import { array, arrayOf, bool, int16, int32, int64, message, string } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * OffsetFetch (key 9). Fields from reference §6.7 and Kafka's OffsetFetchRequest.json /
 * OffsetFetchResponse.json (0-9, flexible 6+: librdkafka's v7 is flexible). v8 (KIP-709) moved
 * everything into a Groups array; v9's MemberId and MemberEpoch come from the JSON. Served 0-8.
 */
export const offsetFetchRequest = message('OffsetFetchRequest', { versions: [0, 9], flexibleVersions: '6+' }, [
  string('GroupId', [0, 7]),
  // Null (v2+) asks for every partition the group has committed.
  array('Topics', [0, 7], [string('Name', [0, 7]), arrayOf('PartitionIndexes', [0, 7], 'int32')], { nullable: [2, 7] }),
  array('Groups', '8+', [
    string('GroupId', '8+'),
    string('MemberId', '9+', { nullable: '9+', default: null }),
    int32('MemberEpoch', '9+', { default: -1 }),
    array('Topics', '8+', [string('Name', '8+'), arrayOf('PartitionIndexes', '8+', 'int32')], { nullable: '8+' }),
  ]),
  bool('RequireStable', '7+', { default: false }),
]);

export const offsetFetchResponse = message('OffsetFetchResponse', { versions: [0, 9], flexibleVersions: '6+' }, [
  int32('ThrottleTimeMs', '3+'),
  array('Topics', [0, 7], [
    string('Name', [0, 7]),
    array('Partitions', [0, 7], [
      int32('PartitionIndex', [0, 7]),
      // -1 when nothing is committed.
      int64('CommittedOffset', [0, 7]),
      int32('CommittedLeaderEpoch', [5, 7], { default: -1 }),
      string('Metadata', [0, 7], { nullable: [0, 7] }),
      int16('ErrorCode', [0, 7]),
    ]),
  ]),
  int16('ErrorCode', [2, 7]),
  array('Groups', '8+', [
    string('GroupId', '8+'),
    array('Topics', '8+', [
      string('Name', '8+'),
      array('Partitions', '8+', [
        int32('PartitionIndex', '8+'),
        int64('CommittedOffset', '8+'),
        int32('CommittedLeaderEpoch', '8+', { default: -1 }),
        string('Metadata', '8+', { nullable: '8+' }),
        int16('ErrorCode', '8+'),
      ]),
    ]),
    int16('ErrorCode', '8+'),
  ]),
]);

export const offsetFetchApi = defineApi({
  key: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  minVersion: 0,
  maxVersion: 8,
  flexibleVersion: 6,
  request: offsetFetchRequest,
  response: offsetFetchResponse,
});

export type OffsetFetchRequest = MessageValue<typeof offsetFetchRequest>;
export type OffsetFetchResponse = MessageValue<typeof offsetFetchResponse>;
export type OffsetFetchResponseInput = MessageInput<typeof offsetFetchResponse>;
