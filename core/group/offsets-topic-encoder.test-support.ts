/**
 * Test-only: builds `__consumer_offsets` keys and values and consumer-protocol bytes field by field,
 * following reference/kafka-format.md §8, so the decoders can be checked on every version.
 */

export class Bytes {
  private readonly parts: Buffer[] = [];

  int8(v: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    return this.raw(b);
  }

  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.raw(b);
  }

  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.raw(b);
  }

  int64(v: number): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v));
    return this.raw(b);
  }

  uvarint(v: number): this {
    const out: number[] = [];
    let n = v;
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
    return this.raw(Buffer.from(out));
  }

  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const b = Buffer.from(s, 'utf8');
    return this.int16(b.length).raw(b);
  }

  compactString(s: string | null): this {
    if (s === null) return this.uvarint(0);
    const b = Buffer.from(s, 'utf8');
    return this.uvarint(b.length + 1).raw(b);
  }

  bytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1);
    return this.int32(b.length).raw(b);
  }

  compactBytes(b: Buffer | null): this {
    if (b === null) return this.uvarint(0);
    return this.uvarint(b.length + 1).raw(b);
  }

  /** A tagged-field buffer; tags are written as given (already sorted). */
  tags(fields: readonly { tag: number; data: Buffer }[] = []): this {
    this.uvarint(fields.length);
    for (const f of fields) this.uvarint(f.tag).uvarint(f.data.length).raw(f.data);
    return this;
  }

  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }

  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export function offsetCommitKey(version: number, group: string, topic: string, partition: number): Buffer {
  return new Bytes().int16(version).string(group).string(topic).int32(partition).build();
}

export function groupMetadataKey(group: string, version = 2): Buffer {
  return new Bytes().int16(version).string(group).build();
}

export interface OffsetCommitFields {
  offset: number;
  leaderEpoch?: number;
  metadata: string;
  commitTimestamp: number;
  expireTimestamp?: number;
  tags?: { tag: number; data: Buffer }[];
}

export function offsetCommitValue(version: number, f: OffsetCommitFields): Buffer {
  const w = new Bytes().int16(version).int64(f.offset);
  if (version >= 3) w.int32(f.leaderEpoch ?? -1);
  if (version >= 4) w.compactString(f.metadata);
  else w.string(f.metadata);
  w.int64(f.commitTimestamp);
  if (version === 1) w.int64(f.expireTimestamp ?? -1);
  if (version >= 4) w.tags(f.tags);
  return w.build();
}

export interface MemberFields {
  memberId: string;
  groupInstanceId?: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeout?: number;
  sessionTimeout: number;
  subscription: Buffer;
  assignment: Buffer;
  tags?: { tag: number; data: Buffer }[];
}

export interface GroupMetadataFields {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp?: number;
  members: MemberFields[];
  tags?: { tag: number; data: Buffer }[];
}

export function groupMetadataValue(version: number, f: GroupMetadataFields): Buffer {
  const flexible = version >= 4;
  const w = new Bytes().int16(version);
  const str = (s: string | null): void => {
    if (flexible) w.compactString(s);
    else w.string(s);
  };
  str(f.protocolType);
  w.int32(f.generation);
  str(f.protocol);
  str(f.leader);
  if (version >= 2) w.int64(f.currentStateTimestamp ?? -1);
  if (flexible) w.uvarint(f.members.length + 1);
  else w.int32(f.members.length);
  for (const m of f.members) {
    str(m.memberId);
    if (version >= 3) str(m.groupInstanceId ?? null);
    str(m.clientId);
    str(m.clientHost);
    if (version >= 1) w.int32(m.rebalanceTimeout ?? -1);
    w.int32(m.sessionTimeout);
    if (flexible) w.compactBytes(m.subscription).compactBytes(m.assignment).tags(m.tags);
    else w.bytes(m.subscription).bytes(m.assignment);
  }
  if (flexible) w.tags(f.tags);
  return w.build();
}

export interface TopicPartitionsFields {
  topic: string;
  partitions: number[];
}

function topicPartitions(w: Bytes, list: TopicPartitionsFields[]): void {
  w.int32(list.length);
  for (const tp of list) {
    w.string(tp.topic).int32(tp.partitions.length);
    for (const p of tp.partitions) w.int32(p);
  }
}

export interface SubscriptionFields {
  topics: string[];
  userData?: Buffer | null;
  ownedPartitions?: TopicPartitionsFields[];
  generationId?: number;
  rackId?: string | null;
}

/** `layoutVersion` lets a test write a newer version number over an older layout plus extra bytes. */
export function consumerSubscription(version: number, f: SubscriptionFields, layoutVersion = version): Buffer {
  const w = new Bytes().int16(version).int32(f.topics.length);
  for (const t of f.topics) w.string(t);
  w.bytes(f.userData ?? null);
  if (layoutVersion >= 1) topicPartitions(w, f.ownedPartitions ?? []);
  if (layoutVersion >= 2) w.int32(f.generationId ?? -1);
  if (layoutVersion >= 3) w.string(f.rackId ?? null);
  return w.build();
}

export function consumerAssignment(version: number, assigned: TopicPartitionsFields[], userData: Buffer | null = null): Buffer {
  const w = new Bytes().int16(version);
  topicPartitions(w, assigned);
  return w.bytes(userData).build();
}
