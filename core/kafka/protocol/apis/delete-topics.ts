import { ApiKey } from '../api-keys';
import { array, arrayOf, int16, int32, message, string, uuid } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * DeleteTopics (key 20). Not detailed in the reference: every field and version here is from
 * Kafka's public DeleteTopicsRequest.json / DeleteTopicsResponse.json (0-6, flexible 4+). v6
 * (KIP-516) names topics by name or ID in a Topics array instead of TopicNames. Served 0-6.
 */
export const deleteTopicsRequest = message('DeleteTopicsRequest', { versions: [0, 6], flexibleVersions: '4+' }, [
  array('Topics', '6+', [string('Name', '6+', { nullable: '6+', default: null }), uuid('TopicId', '6+')]),
  arrayOf('TopicNames', [0, 5], 'string'),
  int32('TimeoutMs', '0+'),
]);

export const deleteTopicsResponse = message('DeleteTopicsResponse', { versions: [0, 6], flexibleVersions: '4+' }, [
  int32('ThrottleTimeMs', '1+'),
  array('Responses', '0+', [
    string('Name', '0+', { nullable: '6+' }),
    uuid('TopicId', '6+'),
    int16('ErrorCode', '0+'),
    string('ErrorMessage', '5+', { nullable: '5+', default: null }),
  ]),
]);

export const deleteTopicsApi = defineApi({
  key: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 6,
  flexibleVersion: 4,
  request: deleteTopicsRequest,
  response: deleteTopicsResponse,
});

export type DeleteTopicsRequest = MessageValue<typeof deleteTopicsRequest>;
export type DeleteTopicsResponse = MessageValue<typeof deleteTopicsResponse>;
export type DeleteTopicsResponseInput = MessageInput<typeof deleteTopicsResponse>;
