import { crc32c } from '@node-rs/crc32';
import { readInt64, writeInt64 } from '../batch/int64';
import type { BatchHeader } from '../segment/batch-header';

/** One idempotent or transactional producer's last write, as Kafka keeps it per partition. */
export interface ProducerEntry {
  readonly producerId: number;
  readonly epoch: number;
  readonly lastSequence: number;
  readonly lastOffset: number;
  readonly offsetDelta: number;
  readonly timestamp: number;
  readonly coordinatorEpoch: number;
  /** First offset of the producer's open transaction, -1 when none. */
  readonly currentTxnFirstOffset: number;
}

/** A recent batch of a producer, to recognise a retry of it (Kafka remembers the last five). */
interface RecentBatch {
  readonly baseSequence: number;
  readonly lastSequence: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
}

const RECENT_BATCHES = 5;

export type SequenceCheck =
  | { readonly kind: 'append' }
  | { readonly kind: 'duplicate'; readonly baseOffset: number; readonly lastOffset: number }
  | { readonly kind: 'out-of-order'; readonly expected: number }
  | { readonly kind: 'fenced'; readonly currentEpoch: number };

const SNAPSHOT_VERSION = 1;
const HEADER_SIZE = 10;
const ENTRY_SIZE = 46;

/**
 * Producer state of a partition: the last sequence each producer wrote, so a retried batch can be
 * recognised, and the `.snapshot` files Kafka writes on roll (ProducerSnapshot.json, version 1:
 * i16 version, u32 CRC-32C of the bytes after it, i32 count, 46-byte entries).
 */
export class ProducerState {
  private readonly entries = new Map<number, ProducerEntry>();
  private readonly recent = new Map<number, RecentBatch[]>();

  /**
   * How an idempotent producer's batch relates to what this partition has from it (Kafka's
   * ProducerAppendInfo rules): a retry of one of its last five batches is a duplicate, to be
   * answered with the offsets it got then; a sequence gap is out of order; an older epoch is
   * fenced. A producer with no state here (new, or its state was lost) may start anywhere.
   */
  check(producerId: number, epoch: number, baseSequence: number, lastOffsetDelta: number): SequenceCheck {
    const entry = this.entries.get(producerId);
    if (!entry || baseSequence < 0) return { kind: 'append' };
    if (epoch < entry.epoch) return { kind: 'fenced', currentEpoch: entry.epoch };
    if (epoch > entry.epoch) return baseSequence === 0 ? { kind: 'append' } : { kind: 'out-of-order', expected: 0 };
    const lastSequence = (baseSequence + lastOffsetDelta) % 0x80000000;
    const retry = this.recent.get(producerId)?.find((b) => b.baseSequence === baseSequence && b.lastSequence === lastSequence);
    if (retry) return { kind: 'duplicate', baseOffset: retry.baseOffset, lastOffset: retry.lastOffset };
    const expected = (entry.lastSequence + 1) % 0x80000000;
    return baseSequence === expected ? { kind: 'append' } : { kind: 'out-of-order', expected };
  }

  /** Records the producer fields of an appended batch (batches without a producer id are skipped). */
  apply(header: Pick<BatchHeader, 'producerId' | 'lastOffset' | 'baseOffset' | 'maxTimestamp' | 'isTransactional' | 'isControl'> & { producerEpoch: number; baseSequence: number }): void {
    if (header.producerId < 0) return;
    const previous = this.entries.get(header.producerId);
    const offsetDelta = header.lastOffset - header.baseOffset;
    const lastSequence = header.baseSequence < 0 ? (previous?.lastSequence ?? -1) : (header.baseSequence + offsetDelta) % 0x80000000;
    let txnFirst = previous?.currentTxnFirstOffset ?? -1;
    if (header.isControl) txnFirst = -1;
    else if (header.isTransactional && txnFirst < 0) txnFirst = header.baseOffset;
    if (header.baseSequence >= 0) {
      const recent = this.recent.get(header.producerId) ?? [];
      recent.push({ baseSequence: header.baseSequence, lastSequence, baseOffset: header.baseOffset, lastOffset: header.lastOffset });
      if (recent.length > RECENT_BATCHES) recent.shift();
      this.recent.set(header.producerId, recent);
    }
    this.entries.set(header.producerId, {
      producerId: header.producerId,
      epoch: header.producerEpoch,
      lastSequence,
      lastOffset: header.lastOffset,
      offsetDelta,
      timestamp: header.maxTimestamp,
      coordinatorEpoch: previous?.coordinatorEpoch ?? -1,
      currentTxnFirstOffset: txnFirst,
    });
  }

  get(producerId: number): ProducerEntry | undefined {
    return this.entries.get(producerId);
  }

  get size(): number {
    return this.entries.size;
  }

  encodeSnapshot(): Buffer {
    const buf = Buffer.alloc(HEADER_SIZE + this.entries.size * ENTRY_SIZE);
    buf.writeInt16BE(SNAPSHOT_VERSION, 0);
    buf.writeInt32BE(this.entries.size, 6);
    let pos = HEADER_SIZE;
    for (const e of [...this.entries.values()].sort((a, b) => a.producerId - b.producerId)) {
      writeInt64(buf, e.producerId, pos);
      buf.writeInt16BE(e.epoch, pos + 8);
      buf.writeInt32BE(e.lastSequence, pos + 10);
      writeInt64(buf, e.lastOffset, pos + 14);
      buf.writeInt32BE(e.offsetDelta, pos + 22);
      writeInt64(buf, e.timestamp, pos + 26);
      buf.writeInt32BE(e.coordinatorEpoch, pos + 34);
      writeInt64(buf, e.currentTxnFirstOffset, pos + 38);
      pos += ENTRY_SIZE;
    }
    buf.writeUInt32BE(crc32c(buf.subarray(6)) >>> 0, 2);
    return buf;
  }

  /** Reads a `.snapshot` file; returns undefined for one that is damaged (it is then rebuilt from the log). */
  static decodeSnapshot(bytes: Buffer): ProducerState | undefined {
    if (bytes.length < HEADER_SIZE || bytes.readInt16BE(0) !== SNAPSHOT_VERSION) return undefined;
    if ((crc32c(bytes.subarray(6)) >>> 0) !== bytes.readUInt32BE(2)) return undefined;
    const count = bytes.readInt32BE(6);
    if (bytes.length !== HEADER_SIZE + count * ENTRY_SIZE) return undefined;
    const state = new ProducerState();
    for (let i = 0, pos = HEADER_SIZE; i < count; i++, pos += ENTRY_SIZE) {
      const producerId = readInt64(bytes, pos);
      // A snapshot keeps only the last batch of each producer: enough to recognise its retry.
      const lastSequence = bytes.readInt32BE(pos + 10);
      const lastOffset = readInt64(bytes, pos + 14);
      const offsetDelta = bytes.readInt32BE(pos + 22);
      if (lastSequence >= 0) state.recent.set(producerId, [{ baseSequence: (lastSequence - offsetDelta + 0x80000000) % 0x80000000, lastSequence, baseOffset: lastOffset - offsetDelta, lastOffset }]);
      state.entries.set(producerId, {
        producerId,
        epoch: bytes.readInt16BE(pos + 8),
        lastSequence: bytes.readInt32BE(pos + 10),
        lastOffset: readInt64(bytes, pos + 14),
        offsetDelta: bytes.readInt32BE(pos + 22),
        timestamp: readInt64(bytes, pos + 26),
        coordinatorEpoch: bytes.readInt32BE(pos + 34),
        currentTxnFirstOffset: readInt64(bytes, pos + 38),
      });
    }
    return state;
  }
}
