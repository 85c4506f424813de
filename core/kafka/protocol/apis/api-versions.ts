import { ApiKey } from '../api-keys';
import { array, bool, int16, int32, int64, message, string } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * ApiVersions (key 18). Fields from reference §6.6-6.7 and Kafka's ApiVersionsRequest.json /
 * ApiVersionsResponse.json (0-4, flexible 3+; v4 changed no field). Served 0-3: v4 gets the
 * UNSUPPORTED_VERSION answer of §6.6, to which librdkafka and @platformatic/kafka react by
 * retrying with v3. Responses always go out with response header v0 (see headers.ts).
 */
export const apiVersionsRequest = message('ApiVersionsRequest', { versions: [0, 4], flexibleVersions: '3+' }, [
  string('ClientSoftwareName', '3+'),
  string('ClientSoftwareVersion', '3+'),
]);

export const apiVersionsResponse = message('ApiVersionsResponse', { versions: [0, 4], flexibleVersions: '3+' }, [
  int16('ErrorCode', '0+'),
  array('ApiKeys', '0+', [int16('ApiKey', '0+'), int16('MinVersion', '0+'), int16('MaxVersion', '0+')]),
  int32('ThrottleTimeMs', '1+'),
  array('SupportedFeatures', '3+', [string('Name', '3+'), int16('MinVersion', '3+'), int16('MaxVersion', '3+')], { tag: 0 }),
  int64('FinalizedFeaturesEpoch', '3+', { tag: 1, default: -1 }),
  array('FinalizedFeatures', '3+', [string('Name', '3+'), int16('MaxVersionLevel', '3+'), int16('MinVersionLevel', '3+')], { tag: 2 }),
  bool('ZkMigrationReady', '3+', { tag: 3, default: false }),
]);

export const apiVersionsApi = defineApi({
  key: ApiKey.ApiVersions,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 3,
  flexibleVersion: 3,
  request: apiVersionsRequest,
  response: apiVersionsResponse,
});

export type ApiVersionsRequest = MessageValue<typeof apiVersionsRequest>;
export type ApiVersionsResponse = MessageValue<typeof apiVersionsResponse>;
export type ApiVersionsResponseInput = MessageInput<typeof apiVersionsResponse>;
