import { ApiKey } from '../api-keys';
import { array, arrayOf, bool, int16, int32, int8, message, string } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * DescribeConfigs (key 32). Not detailed in the reference: every field and version here is from
 * Kafka's public DescribeConfigsRequest.json / DescribeConfigsResponse.json (0-4, flexible 4+).
 * Resource types: 2 topic, 4 broker. Served 0-4.
 */
export const describeConfigsRequest = message('DescribeConfigsRequest', { versions: [0, 4], flexibleVersions: '4+' }, [
  array('Resources', '0+', [
    int8('ResourceType', '0+'),
    string('ResourceName', '0+'),
    // Null asks for every config.
    arrayOf('ConfigurationKeys', '0+', 'string', { nullable: '0+' }),
  ]),
  bool('IncludeSynonyms', '1+', { default: false }),
  bool('IncludeDocumentation', '3+', { default: false }),
]);

export const describeConfigsResponse = message('DescribeConfigsResponse', { versions: [0, 4], flexibleVersions: '4+' }, [
  int32('ThrottleTimeMs', '0+'),
  array('Results', '0+', [
    int16('ErrorCode', '0+'),
    string('ErrorMessage', '0+', { nullable: '0+', default: null }),
    int8('ResourceType', '0+'),
    string('ResourceName', '0+'),
    array('Configs', '0+', [
      string('Name', '0+'),
      string('Value', '0+', { nullable: '0+' }),
      bool('ReadOnly', '0+'),
      bool('IsDefault', [0, 0]),
      int8('ConfigSource', '1+', { default: -1 }),
      bool('IsSensitive', '0+'),
      array('Synonyms', '1+', [string('Name', '1+'), string('Value', '1+', { nullable: '1+' }), int8('Source', '1+')]),
      int8('ConfigType', '3+', { default: 0 }),
      string('Documentation', '3+', { nullable: '0+', default: null }),
    ]),
  ]),
]);

export const describeConfigsApi = defineApi({
  key: ApiKey.DescribeConfigs,
  name: 'DescribeConfigs',
  minVersion: 0,
  maxVersion: 4,
  flexibleVersion: 4,
  request: describeConfigsRequest,
  response: describeConfigsResponse,
});

export type DescribeConfigsRequest = MessageValue<typeof describeConfigsRequest>;
export type DescribeConfigsResponse = MessageValue<typeof describeConfigsResponse>;
export type DescribeConfigsResponseInput = MessageInput<typeof describeConfigsResponse>;
