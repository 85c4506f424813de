import { ApiKey } from '../api-keys';
import { array, arrayOf, bool, bytes, int16, int32, message, string } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { AUTHORIZED_OPERATIONS_OMITTED } from './metadata';
import { defineApi } from './api-definition';

/**
 * DescribeGroups (key 15). Not detailed in the reference: every field and version here is from
 * Kafka's public DescribeGroupsRequest.json / DescribeGroupsResponse.json (0-5, flexible 5+).
 * Served 0-5.
 */
export const describeGroupsRequest = message('DescribeGroupsRequest', { versions: [0, 5], flexibleVersions: '5+' }, [
  arrayOf('Groups', '0+', 'string'),
  bool('IncludeAuthorizedOperations', '3+', { default: false }),
]);

export const describeGroupsResponse = message('DescribeGroupsResponse', { versions: [0, 5], flexibleVersions: '5+' }, [
  int32('ThrottleTimeMs', '1+'),
  array('Groups', '0+', [
    int16('ErrorCode', '0+'),
    string('GroupId', '0+'),
    string('GroupState', '0+'),
    string('ProtocolType', '0+'),
    // The assignor name when the group is stable.
    string('ProtocolData', '0+'),
    array('Members', '0+', [
      string('MemberId', '0+'),
      string('GroupInstanceId', '4+', { nullable: '4+', default: null }),
      string('ClientId', '0+'),
      string('ClientHost', '0+'),
      bytes('MemberMetadata', '0+'),
      bytes('MemberAssignment', '0+'),
    ]),
    int32('AuthorizedOperations', '3+', { default: AUTHORIZED_OPERATIONS_OMITTED }),
  ]),
]);

export const describeGroupsApi = defineApi({
  key: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 5,
  flexibleVersion: 5,
  request: describeGroupsRequest,
  response: describeGroupsResponse,
});

export type DescribeGroupsRequest = MessageValue<typeof describeGroupsRequest>;
export type DescribeGroupsResponse = MessageValue<typeof describeGroupsResponse>;
export type DescribeGroupsResponseInput = MessageInput<typeof describeGroupsResponse>;
