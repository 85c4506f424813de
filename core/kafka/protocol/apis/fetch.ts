import { ApiKey } from '../api-keys';
import { array, arrayOf, int16, int32, int64, int8, message, records, string, struct, uuid } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * Fetch (key 1). Fields from reference §6.7 and Kafka's FetchRequest.json / FetchResponse.json
 * (0-17, flexible 12+). From the JSON rather than the reference: ClusterId and ReplicaState are
 * tags 0 and 1 of the request, ReplicaDirectoryId (v17) tag 0 of a request partition,
 * NodeEndpoints (v16) tag 0 of the response, and the sub-fields of the per-partition tagged
 * structs. Served 0-12: v13+ names topics by ID only, which pairs with Metadata ≥10 (§6.4).
 */
export const fetchRequest = message('FetchRequest', { versions: [0, 17], flexibleVersions: '12+' }, [
  string('ClusterId', '12+', { nullable: '12+', default: null, tag: 0 }),
  int32('ReplicaId', [0, 14], { default: -1 }),
  struct('ReplicaState', '15+', [int32('ReplicaId', '15+', { default: -1 }), int64('ReplicaEpoch', '15+', { default: -1 })], { tag: 1 }),
  int32('MaxWaitMs', '0+'),
  int32('MinBytes', '0+'),
  int32('MaxBytes', '3+', { default: 0x7fffffff }),
  // 0 read_uncommitted, 1 read_committed.
  int8('IsolationLevel', '4+', { default: 0 }),
  // Sessions (KIP-227): clients here send 0/-1 or 0/0; the listener always answers SessionId 0.
  int32('SessionId', '7+', { default: 0 }),
  int32('SessionEpoch', '7+', { default: -1 }),
  array('Topics', '0+', [
    string('Topic', [0, 12]),
    uuid('TopicId', '13+'),
    array('Partitions', '0+', [
      int32('Partition', '0+'),
      int32('CurrentLeaderEpoch', '9+', { default: -1 }),
      int64('FetchOffset', '0+'),
      int32('LastFetchedEpoch', '12+', { default: -1 }),
      int64('LogStartOffset', '5+', { default: -1 }),
      int32('PartitionMaxBytes', '0+'),
      uuid('ReplicaDirectoryId', '17+', { tag: 0 }),
    ]),
  ]),
  array('ForgottenTopicsData', '7+', [string('Topic', [7, 12]), uuid('TopicId', '13+'), arrayOf('Partitions', '7+', 'int32')]),
  string('RackId', '11+', { default: '' }),
]);

export const fetchResponse = message('FetchResponse', { versions: [0, 17], flexibleVersions: '12+' }, [
  int32('ThrottleTimeMs', '1+'),
  int16('ErrorCode', '7+'),
  int32('SessionId', '7+', { default: 0 }),
  array('Responses', '0+', [
    string('Topic', [0, 12]),
    uuid('TopicId', '13+'),
    array('Partitions', '0+', [
      int32('PartitionIndex', '0+'),
      int16('ErrorCode', '0+'),
      int64('HighWatermark', '0+'),
      int64('LastStableOffset', '4+', { default: -1 }),
      int64('LogStartOffset', '5+', { default: -1 }),
      struct('DivergingEpoch', '12+', [int32('Epoch', '12+', { default: -1 }), int64('EndOffset', '12+', { default: -1 })], { tag: 0 }),
      struct('CurrentLeader', '12+', [int32('LeaderId', '12+', { default: -1 }), int32('LeaderEpoch', '12+', { default: -1 })], { tag: 1 }),
      struct('SnapshotId', '12+', [int64('EndOffset', '12+', { default: -1 }), int32('Epoch', '12+', { default: -1 })], { tag: 2 }),
      array('AbortedTransactions', '4+', [int64('ProducerId', '4+'), int64('FirstOffset', '4+')], { nullable: '4+' }),
      int32('PreferredReadReplica', '11+', { default: -1 }),
      records('Records', '0+'),
    ]),
  ]),
  array('NodeEndpoints', '16+', [
    int32('NodeId', '16+'),
    string('Host', '16+'),
    int32('Port', '16+'),
    string('Rack', '16+', { nullable: '16+', default: null }),
  ], { tag: 0 }),
]);

export const fetchApi = defineApi({
  key: ApiKey.Fetch,
  name: 'Fetch',
  minVersion: 0,
  maxVersion: 12,
  flexibleVersion: 12,
  request: fetchRequest,
  response: fetchResponse,
});

export type FetchRequest = MessageValue<typeof fetchRequest>;
export type FetchResponse = MessageValue<typeof fetchResponse>;
export type FetchResponseInput = MessageInput<typeof fetchResponse>;
