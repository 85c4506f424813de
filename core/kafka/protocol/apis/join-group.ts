import { ApiKey } from '../api-keys';
import { array, bool, bytes, int16, int32, message, string } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * JoinGroup (key 11). Fields from reference §6.7 and Kafka's JoinGroupRequest.json /
 * JoinGroupResponse.json (0-9, flexible 6+). Served 0-6. Protocol metadata (the subscription) is
 * opaque bytes here; core/group decodes it.
 */
export const joinGroupRequest = message('JoinGroupRequest', { versions: [0, 9], flexibleVersions: '6+' }, [
  string('GroupId', '0+'),
  int32('SessionTimeoutMs', '0+'),
  int32('RebalanceTimeoutMs', '1+', { default: -1 }),
  string('MemberId', '0+'),
  string('GroupInstanceId', '5+', { nullable: '5+', default: null }),
  string('ProtocolType', '0+'),
  array('Protocols', '0+', [string('Name', '0+'), bytes('Metadata', '0+')]),
  string('Reason', '8+', { nullable: '8+', default: null }),
]);

export const joinGroupResponse = message('JoinGroupResponse', { versions: [0, 9], flexibleVersions: '6+' }, [
  int32('ThrottleTimeMs', '2+'),
  int16('ErrorCode', '0+'),
  int32('GenerationId', '0+', { default: -1 }),
  string('ProtocolType', '7+', { nullable: '7+', default: null }),
  // Present in every version but nullable only from v7: before that, send "" for none.
  string('ProtocolName', '0+', { nullable: '7+' }),
  string('Leader', '0+'),
  bool('SkipAssignment', '9+', { default: false }),
  string('MemberId', '0+'),
  // Filled only in the leader's response.
  array('Members', '0+', [
    string('MemberId', '0+'),
    string('GroupInstanceId', '5+', { nullable: '5+', default: null }),
    bytes('Metadata', '0+'),
  ]),
]);

export const joinGroupApi = defineApi({
  key: ApiKey.JoinGroup,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 6,
  flexibleVersion: 6,
  request: joinGroupRequest,
  response: joinGroupResponse,
});

export type JoinGroupRequest = MessageValue<typeof joinGroupRequest>;
export type JoinGroupResponse = MessageValue<typeof joinGroupResponse>;
export type JoinGroupResponseInput = MessageInput<typeof joinGroupResponse>;
