import { ApiKey } from '../api-keys';
import { int16, int32, int64, message, string } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * InitProducerId (key 22). Fields from reference §6.7 and Kafka's InitProducerIdRequest.json /
 * InitProducerIdResponse.json (0-5, flexible 2+; v4 and v5 changed no field). Served 0-4.
 */
export const initProducerIdRequest = message('InitProducerIdRequest', { versions: [0, 5], flexibleVersions: '2+' }, [
  // Null for an idempotent, non-transactional producer.
  string('TransactionalId', '0+', { nullable: '0+', default: null }),
  int32('TransactionTimeoutMs', '0+'),
  int64('ProducerId', '3+', { default: -1 }),
  int16('ProducerEpoch', '3+', { default: -1 }),
]);

export const initProducerIdResponse = message('InitProducerIdResponse', { versions: [0, 5], flexibleVersions: '2+' }, [
  int32('ThrottleTimeMs', '0+'),
  int16('ErrorCode', '0+'),
  int64('ProducerId', '0+', { default: -1 }),
  int16('ProducerEpoch', '0+'),
]);

export const initProducerIdApi = defineApi({
  key: ApiKey.InitProducerId,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 4,
  flexibleVersion: 2,
  request: initProducerIdRequest,
  response: initProducerIdResponse,
});

export type InitProducerIdRequest = MessageValue<typeof initProducerIdRequest>;
export type InitProducerIdResponse = MessageValue<typeof initProducerIdResponse>;
export type InitProducerIdResponseInput = MessageInput<typeof initProducerIdResponse>;
