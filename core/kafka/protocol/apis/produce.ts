import { ApiKey } from '../api-keys';
import { array, int16, int32, int64, message, records, string, struct } from '../schema';
import type { MessageInput, MessageValue } from '../schema';
import { defineApi } from './api-definition';

/**
 * Produce (key 0). Fields from reference §6.7 and Kafka's ProduceRequest.json /
 * ProduceResponse.json (0-11, flexible 9+; the v10 tags CurrentLeader and NodeEndpoints are from
 * the JSON). Served 0-8: librdkafka and kafkajs use 7, @platformatic/kafka 8 (§6.4). Note that
 * the response's ThrottleTimeMs comes after the topics, unlike most APIs.
 */
export const produceRequest = message('ProduceRequest', { versions: [0, 11], flexibleVersions: '9+' }, [
  string('TransactionalId', '3+', { nullable: '3+', default: null }),
  int16('Acks', '0+'),
  int32('TimeoutMs', '0+'),
  array('TopicData', '0+', [
    string('Name', '0+'),
    array('PartitionData', '0+', [int32('Index', '0+'), records('Records', '0+')]),
  ]),
]);

const leaderIdAndEpoch = [int32('LeaderId', '10+', { default: -1 }), int32('LeaderEpoch', '10+', { default: -1 })] as const;

export const produceResponse = message('ProduceResponse', { versions: [0, 11], flexibleVersions: '9+' }, [
  array('Responses', '0+', [
    string('Name', '0+'),
    array('PartitionResponses', '0+', [
      int32('Index', '0+'),
      int16('ErrorCode', '0+'),
      int64('BaseOffset', '0+'),
      // -1 unless the topic uses LogAppendTime.
      int64('LogAppendTimeMs', '2+', { default: -1 }),
      int64('LogStartOffset', '5+', { default: -1 }),
      array('RecordErrors', '8+', [int32('BatchIndex', '8+'), string('BatchIndexErrorMessage', '8+', { nullable: '8+', default: null })]),
      string('ErrorMessage', '8+', { nullable: '8+', default: null }),
      struct('CurrentLeader', '10+', leaderIdAndEpoch, { tag: 0 }),
    ]),
  ]),
  int32('ThrottleTimeMs', '1+'),
  array('NodeEndpoints', '10+', [
    int32('NodeId', '10+'),
    string('Host', '10+'),
    int32('Port', '10+'),
    string('Rack', '10+', { nullable: '10+', default: null }),
  ], { tag: 0 }),
]);

export const produceApi = defineApi({
  key: ApiKey.Produce,
  name: 'Produce',
  minVersion: 0,
  maxVersion: 8,
  flexibleVersion: 9,
  request: produceRequest,
  response: produceResponse,
});

export type ProduceRequest = MessageValue<typeof produceRequest>;
export type ProduceResponse = MessageValue<typeof produceResponse>;
export type ProduceResponseInput = MessageInput<typeof produceResponse>;
