import type { RequestBody, ResponseInput } from '../../protocol/api-registry';
import type { ApiKey } from '../../protocol/api-keys';
import { ErrorCode } from '../../protocol/error-codes';
import { kafkaError } from '../kafka-error';
import type { ListenerContext } from '../listener-context';

type FetchResponse = ResponseInput<typeof ApiKey.Fetch>;
type FetchRequest = RequestBody<typeof ApiKey.Fetch>;

/**
 * Fetch: the stored batches from the one holding each partition's fetch offset, served as the
 * bytes on disk. Long polling as in Kafka: when less than MinBytes is ready the request waits up
 * to MaxWaitMs for appends to any of its partitions. Sessions are not kept (SessionId 0 always),
 * which every client accepts by sending full fetches.
 */
export async function handleFetch(ctx: ListenerContext, request: FetchRequest): Promise<FetchResponse> {
  const deadline = Date.now() + Math.max(0, request.maxWaitMs);
  for (;;) {
    const { response, bytes, failed } = readOnce(ctx, request);
    const remaining = deadline - Date.now();
    if (bytes >= Math.max(1, request.minBytes) || failed || remaining <= 0 || ctx.signal.aborted) return response;
    await waitForAnyAppend(ctx, request, remaining);
  }
}

function readOnce(ctx: ListenerContext, request: FetchRequest): { response: FetchResponse; bytes: number; failed: boolean } {
  let budget = request.maxBytes > 0 ? request.maxBytes : Number.MAX_SAFE_INTEGER;
  let total = 0;
  let failed = false;
  const committed = request.isolationLevel === 1;
  const responses = request.topics.map((topic) => ({
    topic: topic.topic,
    partitions: topic.partitions.map((p) => {
      const base = { partitionIndex: p.partition, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: committed ? [] : null, preferredReadReplica: -1, records: null };
      try {
        const writer = ctx.engine.partitionWriter(topic.topic, p.partition);
        const start = writer.logStartOffset;
        const end = writer.nextOffset;
        const offsets = { highWatermark: end, lastStableOffset: end, logStartOffset: start };
        if (p.fetchOffset < start || p.fetchOffset > end) {
          failed = true;
          return { ...base, ...offsets, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
        }
        if (p.fetchOffset === end) return { ...base, ...offsets, errorCode: ErrorCode.NONE, records: Buffer.alloc(0) };
        // Kafka always returns at least one whole batch for the first partition with data.
        const limit = total === 0 ? Math.max(1, Math.min(p.partitionMaxBytes, budget)) : Math.min(p.partitionMaxBytes, budget);
        const raw = limit > 0 ? writer.reader().readRaw(p.fetchOffset, limit, end) : { chunks: [], bytes: 0 };
        total += raw.bytes;
        budget -= raw.bytes;
        return { ...base, ...offsets, errorCode: ErrorCode.NONE, records: raw.chunks };
      } catch (error) {
        failed = true;
        return { ...base, errorCode: kafkaError(error).code };
      }
    }),
  }));
  return { response: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses }, bytes: total, failed };
}

async function waitForAnyAppend(ctx: ListenerContext, request: FetchRequest, timeoutMs: number): Promise<void> {
  const stop = new AbortController();
  const onClose = () => stop.abort();
  ctx.signal.addEventListener('abort', onClose);
  const waits: Promise<boolean>[] = [];
  for (const topic of request.topics) {
    for (const p of topic.partitions) {
      if (!ctx.engine.describeTopic(topic.topic)) continue;
      waits.push(ctx.engine.waitForAppend(topic.topic, p.partition, p.fetchOffset, timeoutMs, stop.signal).catch(() => false));
    }
  }
  if (waits.length === 0) waits.push(new Promise((resolve) => setTimeout(() => resolve(false), timeoutMs)));
  await Promise.race(waits);
  stop.abort();
  ctx.signal.removeEventListener('abort', onClose);
}
