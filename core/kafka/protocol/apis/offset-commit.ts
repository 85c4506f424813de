import { ApiKey } from '../api-keys';
import { array, int16, int32, int64, message, string } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * OffsetCommit (key 8). Fields from reference §6.7 and Kafka's OffsetCommitRequest.json /
 * OffsetCommitResponse.json (0-9, flexible 8+; v9 renamed GenerationId to
 * GenerationIdOrMemberEpoch without changing the bytes). Served 0-8.
 */
export const offsetCommitRequest = message('OffsetCommitRequest', { versions: [0, 9], flexibleVersions: '8+' }, [
  string('GroupId', '0+'),
  // -1 with an empty MemberId: a standalone commit from a consumer with manual assignment.
  int32('GenerationIdOrMemberEpoch', '1+', { default: -1 }),
  string('MemberId', '1+'),
  string('GroupInstanceId', '7+', { nullable: '7+', default: null }),
  int64('RetentionTimeMs', [2, 4], { default: -1 }),
  array('Topics', '0+', [
    string('Name', '0+'),
    array('Partitions', '0+', [
      int32('PartitionIndex', '0+'),
      int64('CommittedOffset', '0+'),
      int32('CommittedLeaderEpoch', '6+', { default: -1 }),
      int64('CommitTimestamp', [1, 1], { default: -1 }),
      string('CommittedMetadata', '0+', { nullable: '0+' }),
    ]),
  ]),
]);

export const offsetCommitResponse = message('OffsetCommitResponse', { versions: [0, 9], flexibleVersions: '8+' }, [
  int32('ThrottleTimeMs', '3+'),
  array('Topics', '0+', [string('Name', '0+'), array('Partitions', '0+', [int32('PartitionIndex', '0+'), int16('ErrorCode', '0+')])]),
]);

export const offsetCommitApi = defineApi({
  key: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 8,
  flexibleVersion: 8,
  request: offsetCommitRequest,
  response: offsetCommitResponse,
});

export type OffsetCommitRequest = MessageValue<typeof offsetCommitRequest>;
export type OffsetCommitResponse = MessageValue<typeof offsetCommitResponse>;
export type OffsetCommitResponseInput = MessageInput<typeof offsetCommitResponse>;
