/**
 * The consumer protocol: what Kafka consumers put in a group member's subscription and assignment
 * bytes when the group's protocol type is "consumer". The broker never looks inside them, so other
 * clients may put anything there; decoding is best-effort and never throws.
 */
import { StructReader } from './struct-reader';

export interface TopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

export interface ConsumerSubscription {
  readonly version: number;
  readonly topics: readonly string[];
  readonly userData: Buffer | null;
  /** Cooperative rebalancing (KIP-429); empty before v1. */
  readonly ownedPartitions: readonly TopicPartitions[];
  /** -1 when absent (before v2). */
  readonly generationId: number;
  /** Rack-aware assignment (KIP-881); null when absent (before v3) or not set. */
  readonly rackId: string | null;
}

export interface ConsumerAssignment {
  readonly version: number;
  readonly assignedPartitions: readonly TopicPartitions[];
  readonly userData: Buffer | null;
}

export type ConsumerProtocolData<T> =
  | { readonly kind: 'decoded'; readonly value: T }
  /** Zero bytes: a member that joined but has not been given an assignment yet. */
  | { readonly kind: 'empty' }
  | { readonly kind: 'undecodable'; readonly raw: Buffer; readonly reason: string };

/** As ConsumerProtocolData, plus bytes of a protocol type other than "consumer", kept as they are. */
export type MemberProtocolData<T> =
  | ConsumerProtocolData<T>
  | { readonly kind: 'opaque'; readonly raw: Buffer; readonly protocolType: string };

/**
 * Newer versions only append fields, and Kafka reads a version above the ones it knows as the
 * highest one it knows, ignoring the rest. So does this.
 */
const HIGHEST_SUBSCRIPTION_VERSION = 3;

class ConsumerProtocolError extends Error {}

function decode<T>(bytes: Buffer, label: string, read: (r: StructReader) => T): ConsumerProtocolData<T> {
  if (bytes.length === 0) return { kind: 'empty' };
  const r = new StructReader(bytes, label, (field, _position, reason) => new ConsumerProtocolError(`${field}: ${reason}`));
  try {
    return { kind: 'decoded', value: read(r) };
  } catch (error) {
    if (error instanceof ConsumerProtocolError) return { kind: 'undecodable', raw: bytes, reason: error.message };
    throw error;
  }
}

function readVersion(r: StructReader, struct: string): number {
  const version = r.int16(`${struct}.version`);
  if (version < 0) r.fail(`${struct}.version`, 0, `version ${version} at byte 0 is negative`);
  return version;
}

function readTopicPartitions(r: StructReader, field: string): TopicPartitions[] {
  // A topic entry is at least an empty string and an empty partition array.
  const count = r.arrayCount(field, 2 + 4);
  const result: TopicPartitions[] = [];
  for (let i = 0; i < count; i++) {
    const topic = r.string(`${field}[${i}].topic`);
    const n = r.arrayCount(`${field}[${i}].partitions`, 4);
    const partitions: number[] = [];
    for (let j = 0; j < n; j++) partitions.push(r.int32(`${field}[${i}].partitions[${j}]`));
    result.push({ topic, partitions });
  }
  return result;
}

export function decodeConsumerSubscription(bytes: Buffer): ConsumerProtocolData<ConsumerSubscription> {
  return decode(bytes, 'subscription', (r) => {
    const s = 'ConsumerProtocolSubscription';
    const version = readVersion(r, s);
    const v = Math.min(version, HIGHEST_SUBSCRIPTION_VERSION);
    const topicCount = r.arrayCount(`${s}.topics`, 2);
    const topics: string[] = [];
    for (let i = 0; i < topicCount; i++) topics.push(r.string(`${s}.topics[${i}]`));
    const userData = r.bytesField(`${s}.userData`, true);
    const ownedPartitions = v >= 1 ? readTopicPartitions(r, `${s}.ownedPartitions`) : [];
    const generationId = v >= 2 ? r.int32(`${s}.generationId`) : -1;
    const rackId = v >= 3 ? r.string(`${s}.rackId`, true) : null;
    return { version, topics, userData, ownedPartitions, generationId, rackId };
  });
}

export function decodeConsumerAssignment(bytes: Buffer): ConsumerProtocolData<ConsumerAssignment> {
  return decode(bytes, 'assignment', (r) => {
    const s = 'ConsumerProtocolAssignment';
    // Versions 0-3 all have these fields (the bumps only signalled new subscription fields), and
    // later versions may only append, so every version reads the same.
    const version = readVersion(r, s);
    const assignedPartitions = readTopicPartitions(r, `${s}.assignedPartitions`);
    const userData = r.bytesField(`${s}.userData`, true);
    return { version, assignedPartitions, userData };
  });
}

/**
 * A member's subscription and assignment, decoded when the group speaks the consumer protocol.
 * Other protocol types (Kafka Connect's "connect", custom ones) keep their bytes untouched.
 */
export function decodeMemberProtocol(
  protocolType: string,
  subscription: Buffer,
  assignment: Buffer,
): { subscription: MemberProtocolData<ConsumerSubscription>; assignment: MemberProtocolData<ConsumerAssignment> } {
  if (protocolType !== 'consumer') {
    return {
      subscription: { kind: 'opaque', raw: subscription, protocolType },
      assignment: { kind: 'opaque', raw: assignment, protocolType },
    };
  }
  return { subscription: decodeConsumerSubscription(subscription), assignment: decodeConsumerAssignment(assignment) };
}
