import { ApiKey } from '../api-keys';
import { array, arrayOf, int16, int32, int64, int8, message, string } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * ListOffsets (key 2). Fields from reference §6.7 and Kafka's ListOffsetsRequest.json /
 * ListOffsetsResponse.json (0-10, flexible 6+; v7-v9 only added timestamp sentinels). Served 0-5.
 */
export const listOffsetsRequest = message('ListOffsetsRequest', { versions: [0, 10], flexibleVersions: '6+' }, [
  int32('ReplicaId', '0+'),
  int8('IsolationLevel', '2+'),
  array('Topics', '0+', [
    string('Name', '0+'),
    array('Partitions', '0+', [
      int32('PartitionIndex', '0+'),
      int32('CurrentLeaderEpoch', '4+', { default: -1 }),
      // -1 latest, -2 earliest, -3 max timestamp (v7+), -4 earliest local (v8+), -5 latest tiered (v9+).
      int64('Timestamp', '0+'),
      int32('MaxNumOffsets', [0, 0], { default: 1 }),
    ]),
  ]),
  int32('TimeoutMs', '10+'),
]);

export const listOffsetsResponse = message('ListOffsetsResponse', { versions: [0, 10], flexibleVersions: '6+' }, [
  int32('ThrottleTimeMs', '2+'),
  array('Topics', '0+', [
    string('Name', '0+'),
    array('Partitions', '0+', [
      int32('PartitionIndex', '0+'),
      int16('ErrorCode', '0+'),
      arrayOf('OldStyleOffsets', [0, 0], 'int64'),
      int64('Timestamp', '1+', { default: -1 }),
      int64('Offset', '1+', { default: -1 }),
      int32('LeaderEpoch', '4+', { default: -1 }),
    ]),
  ]),
]);

export const listOffsetsApi = defineApi({
  key: ApiKey.ListOffsets,
  name: 'ListOffsets',
  minVersion: 0,
  maxVersion: 5,
  flexibleVersion: 6,
  request: listOffsetsRequest,
  response: listOffsetsResponse,
});

export type ListOffsetsRequest = MessageValue<typeof listOffsetsRequest>;
export type ListOffsetsResponse = MessageValue<typeof listOffsetsResponse>;
export type ListOffsetsResponseInput = MessageInput<typeof listOffsetsResponse>;
