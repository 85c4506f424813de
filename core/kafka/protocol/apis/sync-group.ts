import { ApiKey } from '../api-keys';
import { array, bytes, int16, int32, message, string } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * SyncGroup (key 14). Fields from reference §6.7 and Kafka's SyncGroupRequest.json /
 * SyncGroupResponse.json (0-5, flexible 4+). Served 0-4. Assignments are opaque bytes here.
 */
export const syncGroupRequest = message('SyncGroupRequest', { versions: [0, 5], flexibleVersions: '4+' }, [
  string('GroupId', '0+'),
  int32('GenerationId', '0+'),
  string('MemberId', '0+'),
  string('GroupInstanceId', '3+', { nullable: '3+', default: null }),
  string('ProtocolType', '5+', { nullable: '5+', default: null }),
  string('ProtocolName', '5+', { nullable: '5+', default: null }),
  // Sent by the leader only.
  array('Assignments', '0+', [string('MemberId', '0+'), bytes('Assignment', '0+')]),
]);

export const syncGroupResponse = message('SyncGroupResponse', { versions: [0, 5], flexibleVersions: '4+' }, [
  int32('ThrottleTimeMs', '1+'),
  int16('ErrorCode', '0+'),
  string('ProtocolType', '5+', { nullable: '5+', default: null }),
  string('ProtocolName', '5+', { nullable: '5+', default: null }),
  bytes('Assignment', '0+'),
]);

export const syncGroupApi = defineApi({
  key: ApiKey.SyncGroup,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 4,
  flexibleVersion: 4,
  request: syncGroupRequest,
  response: syncGroupResponse,
});

export type SyncGroupRequest = MessageValue<typeof syncGroupRequest>;
export type SyncGroupResponse = MessageValue<typeof syncGroupResponse>;
export type SyncGroupResponseInput = MessageInput<typeof syncGroupResponse>;
