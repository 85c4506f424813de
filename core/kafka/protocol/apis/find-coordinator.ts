import { ApiKey } from '../api-keys';
import { array, arrayOf, int16, int32, int8, message, string } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * FindCoordinator (key 10). Fields from reference §6.7 and Kafka's FindCoordinatorRequest.json /
 * FindCoordinatorResponse.json (0-6, flexible 3+; v5 and v6 changed no field). v4 (KIP-699)
 * batches keys: the single Key and the single coordinator become arrays. Served 0-4.
 */
export const findCoordinatorRequest = message('FindCoordinatorRequest', { versions: [0, 6], flexibleVersions: '3+' }, [
  string('Key', [0, 3]),
  // 0 group, 1 transaction.
  int8('KeyType', '1+', { default: 0 }),
  arrayOf('CoordinatorKeys', '4+', 'string'),
]);

export const findCoordinatorResponse = message('FindCoordinatorResponse', { versions: [0, 6], flexibleVersions: '3+' }, [
  int32('ThrottleTimeMs', '1+'),
  int16('ErrorCode', [0, 3]),
  string('ErrorMessage', [1, 3], { nullable: [1, 3], default: null }),
  int32('NodeId', [0, 3]),
  string('Host', [0, 3]),
  int32('Port', [0, 3]),
  array('Coordinators', '4+', [
    string('Key', '4+'),
    int32('NodeId', '4+'),
    string('Host', '4+'),
    int32('Port', '4+'),
    int16('ErrorCode', '4+'),
    string('ErrorMessage', '4+', { nullable: '4+', default: null }),
  ]),
]);

export const findCoordinatorApi = defineApi({
  key: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 4,
  flexibleVersion: 3,
  request: findCoordinatorRequest,
  response: findCoordinatorResponse,
});

export type FindCoordinatorRequest = MessageValue<typeof findCoordinatorRequest>;
export type FindCoordinatorResponse = MessageValue<typeof findCoordinatorResponse>;
export type FindCoordinatorResponseInput = MessageInput<typeof findCoordinatorResponse>;
