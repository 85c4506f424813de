import { ApiKey } from '../api-keys';
import { int16, int32, message, string } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * Heartbeat (key 12). Fields from reference §6.7 and Kafka's HeartbeatRequest.json /
 * HeartbeatResponse.json (0-4, flexible 4+). Served 0-4.
 */
export const heartbeatRequest = message('HeartbeatRequest', { versions: [0, 4], flexibleVersions: '4+' }, [
  string('GroupId', '0+'),
  int32('GenerationId', '0+'),
  string('MemberId', '0+'),
  string('GroupInstanceId', '3+', { nullable: '3+', default: null }),
]);

export const heartbeatResponse = message('HeartbeatResponse', { versions: [0, 4], flexibleVersions: '4+' }, [
  int32('ThrottleTimeMs', '1+'),
  int16('ErrorCode', '0+'),
]);

export const heartbeatApi = defineApi({
  key: ApiKey.Heartbeat,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 4,
  flexibleVersion: 4,
  request: heartbeatRequest,
  response: heartbeatResponse,
});

export type HeartbeatRequest = MessageValue<typeof heartbeatRequest>;
export type HeartbeatResponse = MessageValue<typeof heartbeatResponse>;
export type HeartbeatResponseInput = MessageInput<typeof heartbeatResponse>;
