import { ApiKey } from '../api-keys';
import { array, arrayOf, bool, int16, int32, int8, message, string, uuid } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * CreateTopics (key 19). Fields from reference §6.7 and Kafka's CreateTopicsRequest.json /
 * CreateTopicsResponse.json (0-7, flexible 5+); the sub-fields of the response's Configs are from
 * the JSON. Served 0-7.
 */
export const createTopicsRequest = message('CreateTopicsRequest', { versions: [0, 7], flexibleVersions: '5+' }, [
  array('Topics', '0+', [
    string('Name', '0+'),
    // -1: the broker default (v4+).
    int32('NumPartitions', '0+'),
    int16('ReplicationFactor', '0+'),
    array('Assignments', '0+', [int32('PartitionIndex', '0+'), arrayOf('BrokerIds', '0+', 'int32')]),
    array('Configs', '0+', [string('Name', '0+'), string('Value', '0+', { nullable: '0+' })]),
  ]),
  int32('TimeoutMs', '0+', { default: 60000 }),
  bool('ValidateOnly', '1+', { default: false }),
]);

export const createTopicsResponse = message('CreateTopicsResponse', { versions: [0, 7], flexibleVersions: '5+' }, [
  int32('ThrottleTimeMs', '2+'),
  array('Topics', '0+', [
    string('Name', '0+'),
    uuid('TopicId', '7+'),
    int16('ErrorCode', '0+'),
    string('ErrorMessage', '1+', { nullable: '0+', default: null }),
    int16('TopicConfigErrorCode', '5+', { tag: 0, default: 0 }),
    int32('NumPartitions', '5+', { default: -1 }),
    int16('ReplicationFactor', '5+', { default: -1 }),
    array('Configs', '5+', [
      string('Name', '5+'),
      string('Value', '5+', { nullable: '5+' }),
      bool('ReadOnly', '5+'),
      int8('ConfigSource', '5+', { default: -1 }),
      bool('IsSensitive', '5+'),
    ], { nullable: '5+' }),
  ]),
]);

export const createTopicsApi = defineApi({
  key: ApiKey.CreateTopics,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 7,
  flexibleVersion: 5,
  request: createTopicsRequest,
  response: createTopicsResponse,
});

export type CreateTopicsRequest = MessageValue<typeof createTopicsRequest>;
export type CreateTopicsResponse = MessageValue<typeof createTopicsResponse>;
export type CreateTopicsResponseInput = MessageInput<typeof createTopicsResponse>;
