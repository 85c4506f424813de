import { DEFAULT_TOPIC_CONFIG } from '../../../log/engine/topic-config';
import type { RequestBody, ResponseInput } from '../../protocol/api-registry';
import type { ApiKey } from '../../protocol/api-keys';
import { ErrorCode } from '../../protocol/error-codes';
import { kafkaError } from '../kafka-error';
import type { ListenerContext } from '../listener-context';

const TOPIC_RESOURCE = 2;
const BROKER_RESOURCE = 4;
/** DescribeConfigs sources: dynamic topic config, or the default. */
const SOURCE_TOPIC = 1;
const SOURCE_DEFAULT = 5;

export function handleCreateTopics(ctx: ListenerContext, request: RequestBody<typeof ApiKey.CreateTopics>): ResponseInput<typeof ApiKey.CreateTopics> {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => {
      const partitions = t.numPartitions > 0 ? t.numPartitions : ctx.defaultPartitions;
      if (t.replicationFactor > 1) {
        return { name: t.name, errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: `replication factor ${t.replicationFactor} is larger than this single node`, numPartitions: -1, replicationFactor: -1, configs: null };
      }
      const settings = { partitions, config: Object.fromEntries(t.configs.map((c) => [c.name, c.value ?? ''])) };
      try {
        if (request.validateOnly) {
          ctx.engine.validateNewTopic(t.name, settings);
          return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null, numPartitions: partitions, replicationFactor: 1, configs: null };
        }
        const created = ctx.engine.createTopic(t.name, settings);
        return { name: t.name, topicId: created.topicId, errorCode: ErrorCode.NONE, errorMessage: null, numPartitions: created.partitions, replicationFactor: 1, configs: null };
      } catch (error) {
        const { code, message } = kafkaError(error);
        return { name: t.name, errorCode: code, errorMessage: message, numPartitions: -1, replicationFactor: -1, configs: null };
      }
    }),
  };
}

export function handleDeleteTopics(ctx: ListenerContext, request: RequestBody<typeof ApiKey.DeleteTopics>): ResponseInput<typeof ApiKey.DeleteTopics> {
  const names = request.topicNames.length ? request.topicNames : request.topics.map((t) => t.name ?? '');
  return {
    throttleTimeMs: 0,
    responses: names.map((name) => {
      try {
        ctx.engine.deleteTopic(name);
        return { name, errorCode: ErrorCode.NONE, errorMessage: null };
      } catch (error) {
        const { code, message } = kafkaError(error);
        return { name, errorCode: code, errorMessage: message };
      }
    }),
  };
}

export function handleDescribeConfigs(ctx: ListenerContext, request: RequestBody<typeof ApiKey.DescribeConfigs>): ResponseInput<typeof ApiKey.DescribeConfigs> {
  return {
    throttleTimeMs: 0,
    results: request.resources.map((resource) => {
      const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
      if (resource.resourceType === BROKER_RESOURCE) return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: [] };
      const topic = resource.resourceType === TOPIC_RESOURCE ? ctx.engine.describeTopic(resource.resourceName) : undefined;
      if (!topic) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `unknown topic '${resource.resourceName}'`, configs: [] };
      const wanted = resource.configurationKeys;
      const configs = Object.entries(topic.config)
        .filter(([name]) => !wanted || wanted.includes(name))
        .map(([name, value]) => {
          const isDefault = DEFAULT_TOPIC_CONFIG[name as keyof typeof DEFAULT_TOPIC_CONFIG] === value;
          return { name, value: String(value), readOnly: false, isDefault, configSource: isDefault ? SOURCE_DEFAULT : SOURCE_TOPIC, isSensitive: false, synonyms: [], configType: 0, documentation: null };
        });
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
    }),
  };
}

/** InitProducerId: a fresh id for idempotent producers; transactions are not served. */
export function handleInitProducerId(ctx: ListenerContext, request: RequestBody<typeof ApiKey.InitProducerId>): ResponseInput<typeof ApiKey.InitProducerId> {
  if (request.transactionalId !== null) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 };
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: ctx.producerIds.allocate(), producerEpoch: 0 };
}
