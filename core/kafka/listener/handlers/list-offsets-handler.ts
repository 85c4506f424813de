import type { RequestBody, ResponseInput } from '../../protocol/api-registry';
import type { ApiKey } from '../../protocol/api-keys';
import { ErrorCode } from '../../protocol/error-codes';
import { kafkaError } from '../kafka-error';
import type { ListenerContext } from '../listener-context';

const LATEST = -1;
const EARLIEST = -2;

/** ListOffsets: latest (-1) is the log end, earliest (-2) the log start, else the first offset at or after a time. */
export function handleListOffsets(ctx: ListenerContext, request: RequestBody<typeof ApiKey.ListOffsets>): ResponseInput<typeof ApiKey.ListOffsets> {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => {
        try {
          let offset: number;
          let timestamp = -1;
          if (p.timestamp === LATEST) offset = ctx.engine.endOffset(topic.name, p.partitionIndex);
          else if (p.timestamp === EARLIEST) offset = ctx.engine.startOffset(topic.name, p.partitionIndex);
          else {
            const found = ctx.engine.partitionWriter(topic.name, p.partitionIndex).reader().offsetForTimestamp(p.timestamp);
            offset = found?.offset ?? -1;
            timestamp = found?.timestamp ?? -1;
          }
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, oldStyleOffsets: offset >= 0 ? [offset] : [], timestamp, offset, leaderEpoch: 0 };
        } catch (error) {
          return { partitionIndex: p.partitionIndex, errorCode: kafkaError(error).code, oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 };
        }
      }),
    })),
  };
}
