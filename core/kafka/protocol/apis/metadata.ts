import { ApiKey } from '../api-keys';
import { array, arrayOf, bool, int16, int32, message, string, uuid } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * Metadata (key 3). Fields from reference §6.7 and Kafka's MetadataRequest.json /
 * MetadataResponse.json (0-12, flexible 9+). Served only up to v9: v10+ means topic IDs, and
 * @platformatic/kafka pairs Metadata ≥10 with Fetch ≥13 (reference §6.4).
 */
export const metadataRequest = message('MetadataRequest', { versions: [0, 12], flexibleVersions: '9+' }, [
  // v0: an empty array means all topics; v1+: null means all, empty means none.
  array('Topics', '0+', [uuid('TopicId', '10+'), string('Name', '0+', { nullable: '10+' })], { nullable: '1+' }),
  bool('AllowAutoTopicCreation', '4+', { default: true }),
  bool('IncludeClusterAuthorizedOperations', [8, 10]),
  bool('IncludeTopicAuthorizedOperations', '8+'),
]);

/** Kafka's "not requested" value for authorized-operations bit sets. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

export const metadataResponse = message('MetadataResponse', { versions: [0, 12], flexibleVersions: '9+' }, [
  int32('ThrottleTimeMs', '3+'),
  array('Brokers', '0+', [
    int32('NodeId', '0+'),
    string('Host', '0+'),
    int32('Port', '0+'),
    string('Rack', '1+', { nullable: '1+', default: null }),
  ]),
  string('ClusterId', '2+', { nullable: '2+', default: null }),
  int32('ControllerId', '1+', { default: -1 }),
  array('Topics', '0+', [
    int16('ErrorCode', '0+'),
    string('Name', '0+', { nullable: '12+' }),
    uuid('TopicId', '10+'),
    bool('IsInternal', '1+', { default: false }),
    array('Partitions', '0+', [
      int16('ErrorCode', '0+'),
      int32('PartitionIndex', '0+'),
      int32('LeaderId', '0+'),
      int32('LeaderEpoch', '7+', { default: -1 }),
      arrayOf('ReplicaNodes', '0+', 'int32'),
      arrayOf('IsrNodes', '0+', 'int32'),
      arrayOf('OfflineReplicas', '5+', 'int32'),
    ]),
    int32('TopicAuthorizedOperations', '8+', { default: AUTHORIZED_OPERATIONS_OMITTED }),
  ]),
  int32('ClusterAuthorizedOperations', [8, 10], { default: AUTHORIZED_OPERATIONS_OMITTED }),
]);

export const metadataApi = defineApi({
  key: ApiKey.Metadata,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 9,
  flexibleVersion: 9,
  request: metadataRequest,
  response: metadataResponse,
});

export type MetadataRequest = MessageValue<typeof metadataRequest>;
export type MetadataResponse = MessageValue<typeof metadataResponse>;
export type MetadataResponseInput = MessageInput<typeof metadataResponse>;
