import { ApiKey } from '../api-keys';
import { array, arrayOf, int16, int32, message, string } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * ListGroups (key 16). Not detailed in the reference: every field and version here is from
 * Kafka's public ListGroupsRequest.json / ListGroupsResponse.json (0-5, flexible 3+; v4 added
 * state filters, v5 type filters). Served 0-4.
 */
export const listGroupsRequest = message('ListGroupsRequest', { versions: [0, 5], flexibleVersions: '3+' }, [
  arrayOf('StatesFilter', '4+', 'string'),
  arrayOf('TypesFilter', '5+', 'string'),
]);

export const listGroupsResponse = message('ListGroupsResponse', { versions: [0, 5], flexibleVersions: '3+' }, [
  int32('ThrottleTimeMs', '1+'),
  int16('ErrorCode', '0+'),
  array('Groups', '0+', [string('GroupId', '0+'), string('ProtocolType', '0+'), string('GroupState', '4+'), string('GroupType', '5+')]),
]);

export const listGroupsApi = defineApi({
  key: ApiKey.ListGroups,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 4,
  flexibleVersion: 3,
  request: listGroupsRequest,
  response: listGroupsResponse,
});

export type ListGroupsRequest = MessageValue<typeof listGroupsRequest>;
export type ListGroupsResponse = MessageValue<typeof listGroupsResponse>;
export type ListGroupsResponseInput = MessageInput<typeof listGroupsResponse>;
