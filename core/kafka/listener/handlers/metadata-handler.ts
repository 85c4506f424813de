import type { TopicDescription } from '../../../log/engine/log-engine';
import { isInternalTopic } from '../../../log/logdir/partition-dir-name';
import type { RequestBody, ResponseInput } from '../../protocol/api-registry';
import type { ApiKey } from '../../protocol/api-keys';
import { ErrorCode } from '../../protocol/error-codes';
import type { ListenerContext } from '../listener-context';

/** Kafka's "authorized operations not requested" marker (INT32_MIN). */
const OPERATIONS_OMITTED = -2147483648;

/**
 * Metadata: this node as the only broker, leader of every partition. Unknown topics are created
 * when the listener allows it and the client asks for it (AllowAutoTopicCreation, v4+; always
 * allowed before v4).
 */
export function handleMetadata(ctx: ListenerContext, request: RequestBody<typeof ApiKey.Metadata>, version: number): ResponseInput<typeof ApiKey.Metadata> {
  const { engine, broker } = ctx;
  const requested = request.topics;
  const all = requested === null || (version === 0 && requested.length === 0);
  const names = all ? engine.listTopics().map((t) => t.name) : requested.map((t) => t.name ?? '');
  const allowCreate = ctx.autoCreateTopics && (version < 4 || request.allowAutoTopicCreation);
  const topics = names.map((name) => {
    let topic: TopicDescription | undefined = engine.describeTopic(name);
    if (!topic && allowCreate) {
      try {
        topic = engine.createTopic(name, { partitions: ctx.defaultPartitions });
        ctx.log(`auto-created topic ${name} with ${ctx.defaultPartitions} partition(s)`);
      } catch (error) {
        ctx.log(`cannot auto-create topic '${name}': ${(error as Error).message}`);
        return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name, isInternal: false, partitions: [], topicAuthorizedOperations: OPERATIONS_OMITTED };
      }
    }
    if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, isInternal: false, partitions: [], topicAuthorizedOperations: OPERATIONS_OMITTED };
    return {
      errorCode: ErrorCode.NONE,
      name,
      isInternal: isInternalTopic(name),
      partitions: Array.from({ length: topic.partitions }, (_, partitionIndex) => ({
        errorCode: ErrorCode.NONE,
        partitionIndex,
        leaderId: broker.nodeId,
        leaderEpoch: 0,
        replicaNodes: [broker.nodeId],
        isrNodes: [broker.nodeId],
        offlineReplicas: [],
      })),
      topicAuthorizedOperations: OPERATIONS_OMITTED,
    };
  });
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: broker.nodeId, host: broker.host, port: broker.port, rack: null }],
    clusterId: broker.clusterId,
    controllerId: broker.nodeId,
    topics,
    clusterAuthorizedOperations: OPERATIONS_OMITTED,
  };
}
