import { ApiKey } from '../api-keys';
import { array, int16, int32, message, string } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * LeaveGroup (key 13). Fields from reference §6.7 and Kafka's LeaveGroupRequest.json /
 * LeaveGroupResponse.json (0-5, flexible 4+). v3 (KIP-345) replaced the single MemberId with a
 * batch of members. Served 0-4.
 */
export const leaveGroupRequest = message('LeaveGroupRequest', { versions: [0, 5], flexibleVersions: '4+' }, [
  string('GroupId', '0+'),
  string('MemberId', [0, 2]),
  array('Members', '3+', [
    string('MemberId', '3+'),
    string('GroupInstanceId', '3+', { nullable: '3+', default: null }),
    string('Reason', '5+', { nullable: '5+', default: null }),
  ]),
]);

export const leaveGroupResponse = message('LeaveGroupResponse', { versions: [0, 5], flexibleVersions: '4+' }, [
  int32('ThrottleTimeMs', '1+'),
  int16('ErrorCode', '0+'),
  array('Members', '3+', [
    string('MemberId', '3+'),
    string('GroupInstanceId', '3+', { nullable: '3+', default: null }),
    int16('ErrorCode', '3+'),
  ]),
]);

export const leaveGroupApi = defineApi({
  key: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 4,
  flexibleVersion: 4,
  request: leaveGroupRequest,
  response: leaveGroupResponse,
});

export type LeaveGroupRequest = MessageValue<typeof leaveGroupRequest>;
export type LeaveGroupResponse = MessageValue<typeof leaveGroupResponse>;
export type LeaveGroupResponseInput = MessageInput<typeof leaveGroupResponse>;
