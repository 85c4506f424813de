import type { RequestBody, ResponseInput } from '../../protocol/api-registry';
import type { ApiKey } from '../../protocol/api-keys';
import { ErrorCode } from '../../protocol/error-codes';
import { kafkaError } from '../kafka-error';
import type { ListenerContext } from '../listener-context';

const LOG_OVERHEAD = 12;
const MAGIC_OFFSET = 16;

/**
 * Produce: each partition's payload must be exactly one RecordBatch v2 (what every client since
 * Kafka 0.11 sends); the engine checks it as a broker does and stores its bytes as they came.
 * Older message formats are refused rather than converted. Returns null for acks=0, which gets
 * no response at all.
 */
/**
 * What an acks=0 produce that failed gets: no response can say so, so, as in Kafka, the
 * connection is closed and the client notices.
 */
export class CloseConnection {
  constructor(readonly reason: string) {}
}

export function handleProduce(ctx: ListenerContext, request: RequestBody<typeof ApiKey.Produce>): ResponseInput<typeof ApiKey.Produce> | CloseConnection | null {
  const responses = request.topicData.map((topic) => ({
    name: topic.name,
    partitionResponses: topic.partitionData.map((partition) => {
      const fail = (errorCode: number, errorMessage: string) => ({ index: partition.index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage });
      const records = partition.records;
      if (!records || records.length < LOG_OVERHEAD + 5) return fail(ErrorCode.CORRUPT_MESSAGE, 'no record batch in the request');
      const size = records.readInt32BE(8) + LOG_OVERHEAD;
      if (records[MAGIC_OFFSET] !== 2) return fail(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, `message format v${records[MAGIC_OFFSET]} is not accepted; use a client that sends RecordBatch v2 (Kafka 0.11+)`);
      if (size !== records.length) return fail(ErrorCode.INVALID_RECORD, `a produce request must carry exactly one record batch per partition (declared ${size} bytes, got ${records.length})`);
      try {
        // Copied: the engine stamps offsets into the batch, and the request frame is not ours to keep.
        const result = ctx.engine.appendBatch(topic.name, partition.index, Buffer.from(records));
        return { index: partition.index, errorCode: ErrorCode.NONE, baseOffset: result.baseOffset, logAppendTimeMs: result.logAppendTime, logStartOffset: ctx.engine.startOffset(topic.name, partition.index), recordErrors: [], errorMessage: null };
      } catch (error) {
        const { code, message } = kafkaError(error);
        if (code === ErrorCode.UNKNOWN_SERVER_ERROR) ctx.log(`produce to ${topic.name}-${partition.index} failed: ${message}`);
        return fail(code, message);
      }
    }),
  }));
  if (request.acks !== 0) return { responses, throttleTimeMs: 0 };
  const failed = responses.flatMap((t) => t.partitionResponses.filter((p) => p.errorCode !== ErrorCode.NONE).map((p) => `${t.name}-${p.index}: ${p.errorMessage}`));
  return failed.length ? new CloseConnection(`acks=0 produce failed (${failed.join('; ')})`) : null;
}
