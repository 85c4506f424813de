import { assignBaseOffset } from '../../log/batch/record-batch-encoder';
import { RecordBatchV2 } from '../../log/batch/record-batch';
import { ApiKey } from './api-keys';
import { apiVersionsResponseBody } from './api-registry';
import { ErrorCode } from './error-codes';
import { encodeResponse } from './frame';
import type { DecodedRequest } from './frame';
import type { Script } from './kcat.test-support';

/**
 * Just enough of a broker, scripted in a test, to carry a real client through metadata, produce,
 * consume and a consumer-group round: one node, one topic with one partition, batches in memory,
 * a group with one member. It exists to prove the codec's bytes against librdkafka, so it answers
 * by the book and checks nothing a real listener would.
 */
export class ScriptedBroker {
  static readonly PRODUCER_ID = 4000;
  readonly batches: { baseOffset: number; bytes: Buffer }[] = [];
  readonly commits: { topic: string; partition: number; offset: number }[] = [];
  private nextOffset = 0;
  private memberId = '';
  private assignment: Buffer = Buffer.alloc(0);
  port = 0;

  constructor(readonly topic: string) {}

  /** Appends a batch as a producer would, assigning its offsets. */
  append(batch: Buffer): number {
    const copy = Buffer.from(batch);
    const baseOffset = this.nextOffset;
    assignBaseOffset(copy, baseOffset, 0);
    this.nextOffset += new RecordBatchV2(copy, 0, '<produce>').lastOffset - baseOffset + 1;
    this.batches.push({ baseOffset, bytes: copy });
    return baseOffset;
  }

  readonly script: Script = (request) => this.answer(request);

  private answer(request: DecodedRequest): Buffer | null | Promise<Buffer | null> {
    const header = { correlationId: request.header.correlationId };
    const self = { nodeId: 1, host: '127.0.0.1', port: this.port };
    switch (request.apiKey) {
      case ApiKey.ApiVersions:
        return encodeResponse(header, request.apiKey, request.apiVersion, apiVersionsResponseBody());
      case ApiKey.Metadata: {
        const wanted = request.body.topics === null || request.body.topics.some((t) => t.name === this.topic);
        return encodeResponse(header, request.apiKey, request.apiVersion, {
          brokers: [self],
          clusterId: 'tapedeck-scripted',
          controllerId: 1,
          topics: wanted ? [{ errorCode: 0, name: this.topic, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1] }] }] : [],
        });
      }
      case ApiKey.Produce: {
        const responses = request.body.topicData.map((topic) => ({
          name: topic.name,
          partitionResponses: topic.partitionData.map((partition) => {
            const known = topic.name === this.topic && partition.index === 0 && partition.records !== null;
            const baseOffset = known && partition.records !== null ? this.append(partition.records) : -1;
            return { index: partition.index, errorCode: known ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, baseOffset, logStartOffset: 0 };
          }),
        }));
        if (request.body.acks === 0) return null;
        return encodeResponse(header, request.apiKey, request.apiVersion, { responses });
      }
      case ApiKey.ListOffsets:
        return encodeResponse(header, request.apiKey, request.apiVersion, {
          topics: request.body.topics.map((topic) => ({
            name: topic.name,
            partitions: topic.partitions.map((p) => {
              const offset = p.timestamp === -2 ? 0 : this.nextOffset;
              return { partitionIndex: p.partitionIndex, errorCode: 0, timestamp: -1, offset, oldStyleOffsets: [offset] };
            }),
          })),
        });
      case ApiKey.Fetch:
        return this.fetch(request);
      case ApiKey.FindCoordinator:
        return encodeResponse(header, request.apiKey, request.apiVersion, {
          errorCode: 0,
          ...self,
          coordinators: request.body.coordinatorKeys.map((key) => ({ key, ...self, errorCode: 0 })),
        });
      case ApiKey.JoinGroup: {
        this.memberId ||= `${request.header.clientId ?? 'member'}-scripted`;
        const protocol = request.body.protocols[0];
        return encodeResponse(header, request.apiKey, request.apiVersion, {
          errorCode: 0,
          generationId: 1,
          protocolType: request.body.protocolType,
          protocolName: protocol?.name ?? '',
          leader: this.memberId,
          memberId: this.memberId,
          members: [{ memberId: this.memberId, metadata: protocol?.metadata ?? Buffer.alloc(0) }],
        });
      }
      case ApiKey.SyncGroup:
        this.assignment = request.body.assignments.find((a) => a.memberId === this.memberId)?.assignment ?? this.assignment;
        return encodeResponse(header, request.apiKey, request.apiVersion, { errorCode: 0, assignment: this.assignment });
      case ApiKey.Heartbeat:
        return encodeResponse(header, request.apiKey, request.apiVersion, { errorCode: 0 });
      case ApiKey.LeaveGroup:
        return encodeResponse(header, request.apiKey, request.apiVersion, { errorCode: 0 });
      case ApiKey.OffsetFetch: {
        const committed = (topic: string, partition: number): number =>
          this.commits.filter((c) => c.topic === topic && c.partition === partition).at(-1)?.offset ?? -1;
        const topics = (request.body.topics ?? []).map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: committed(t.name, p), metadata: '', errorCode: 0 })),
        }));
        return encodeResponse(header, request.apiKey, request.apiVersion, { topics, errorCode: 0 });
      }
      case ApiKey.OffsetCommit:
        for (const t of request.body.topics) for (const p of t.partitions) this.commits.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
        return encodeResponse(header, request.apiKey, request.apiVersion, {
          topics: request.body.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })) })),
        });
      case ApiKey.InitProducerId:
        return encodeResponse(header, request.apiKey, request.apiVersion, { errorCode: 0, producerId: ScriptedBroker.PRODUCER_ID, producerEpoch: 0 });
      default:
        return null;
    }
  }

  private async fetch(request: Extract<DecodedRequest, { apiKey: typeof ApiKey.Fetch }>): Promise<Buffer> {
    const header = { correlationId: request.header.correlationId };
    const wanted = request.body.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: p.fetchOffset })));
    const hasData = wanted.some((w) => w.topic === this.topic && w.partition === 0 && w.offset < this.nextOffset);
    // No data: wait as a broker would (capped, so a test never waits long), then answer empty.
    if (!hasData) await new Promise((resolve) => setTimeout(resolve, Math.min(request.body.maxWaitMs, 200)));
    const responses = request.body.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        const known = t.topic === this.topic && p.partition === 0;
        const batches = known ? this.batches.filter((b) => new RecordBatchV2(b.bytes, 0, '<log>').lastOffset >= p.fetchOffset).map((b) => b.bytes) : [];
        return {
          partitionIndex: p.partition,
          errorCode: known ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          highWatermark: this.nextOffset,
          lastStableOffset: this.nextOffset,
          logStartOffset: 0,
          abortedTransactions: request.body.isolationLevel === 1 ? [] : null,
          records: batches,
        };
      }),
    }));
    return encodeResponse(header, request.apiKey, request.apiVersion, { sessionId: 0, responses });
  }
}
