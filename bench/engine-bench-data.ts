/**
 * The records of the engine benchmarks and the raw-file baseline's framing. A record is a 16-byte
 * key, a 100-byte random value and a timestamp; the baseline stores it as a 4-byte length, the
 * timestamp (8 bytes), the key and the value: the least framing a file of records can have.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import type { RecordToEncode } from '../core/log/batch/record-batch-encoder';
import { type BenchResult, type RssPeak, round } from './measure';

export const MB = 1024 * 1024;
export const KEY_BYTES = 16;
export const VALUE_BYTES = 100;
const TIMESTAMP_BYTES = 8;
/** What a record carries: key, value and timestamp. MB/s figures count these bytes on both sides. */
export const PAYLOAD_BYTES = KEY_BYTES + VALUE_BYTES + TIMESTAMP_BYTES;
/** One record in the raw baseline file: length prefix, then timestamp, key, value. */
export const RAW_RECORD_BYTES = 4 + PAYLOAD_BYTES;

/**
 * Random keys and values, made once before anything is timed; batches take them in turn, so the
 * engine and the baseline are handed the very same bytes.
 */
export class RecordPool {
  private readonly keys: Buffer;
  private readonly values: Buffer;

  constructor(private readonly size = 65_536) {
    this.keys = randomBytes(size * KEY_BYTES);
    this.values = randomBytes(size * VALUE_BYTES);
  }

  key(n: number): Buffer {
    const i = n % this.size;
    return this.keys.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES);
  }

  value(n: number): Buffer {
    const i = n % this.size;
    return this.values.subarray(i * VALUE_BYTES, (i + 1) * VALUE_BYTES);
  }

  /** Records `first` .. `first + count - 1`, one millisecond apart from `timestamp`. */
  batch(first: number, count: number, timestamp: number): RecordToEncode[] {
    const records: RecordToEncode[] = new Array(count);
    for (let i = 0; i < count; i++) records[i] = { key: this.key(first + i), value: this.value(first + i), timestamp: timestamp + i };
    return records;
  }
}

/** The baseline's encoding of a batch: each record length-prefixed, back to back, in one buffer. */
export function encodeRaw(records: readonly RecordToEncode[]): Buffer {
  const out = Buffer.allocUnsafe(records.length * RAW_RECORD_BYTES);
  let pos = 0;
  for (const record of records) {
    const key = record.key!;
    const value = record.value!;
    pos = out.writeUInt32BE(TIMESTAMP_BYTES + key.length + value.length, pos);
    pos = out.writeUInt32BE(Math.floor(record.timestamp / 0x1_0000_0000), pos);
    pos = out.writeUInt32BE(record.timestamp >>> 0, pos);
    out.set(key, pos);
    out.set(value, pos + key.length);
    pos += key.length + value.length;
  }
  return out;
}

/** A record of the raw file, taken apart: the timestamp read, key and value as views (nothing copied). */
export interface RawRecord {
  readonly timestamp: number;
  readonly key: Buffer;
  readonly value: Buffer;
}

/** Takes apart the record whose length prefix is at `pos` of `buf` (the whole record must be there). */
export function decodeRaw(buf: Buffer, pos: number): RawRecord {
  const length = buf.readUInt32BE(pos);
  const timestamp = buf.readUInt32BE(pos + 4) * 0x1_0000_0000 + buf.readUInt32BE(pos + 8);
  const keyStart = pos + 4 + TIMESTAMP_BYTES;
  return { timestamp, key: buf.subarray(keyStart, keyStart + KEY_BYTES), value: buf.subarray(keyStart + KEY_BYTES, pos + 4 + length) };
}

/**
 * Reads a raw file front to back in 1 MiB chunks, handing each record to `each`. Records cut by a
 * chunk boundary are moved to the front of the buffer and completed by the next read.
 */
export function scanRaw(file: string, each: (record: RawRecord) => void, everyChunk?: () => void): number {
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, 'r');
  let records = 0;
  try {
    let filled = 0;
    let n: number;
    while ((n = readSync(fd, buf, filled, buf.length - filled, null)) > 0) {
      filled += n;
      let pos = 0;
      while (pos + 4 <= filled) {
        const end = pos + 4 + buf.readUInt32BE(pos);
        if (end > filled) break;
        each(decodeRaw(buf, pos));
        records++;
        pos = end;
      }
      buf.copy(buf, 0, pos, filled);
      filled -= pos;
      everyChunk?.();
    }
  } finally {
    closeSync(fd);
  }
  return records;
}

/**
 * The two results of a workload: payload MB/s with its baseline, ratio and target, and records/s
 * (with a target only where there is a records/s aim).
 */
export function resultPair(
  workload: string,
  records: number,
  engineSeconds: number,
  rawSeconds: number | null,
  rss: RssPeak,
  targets: { ratio: number | null; recordsPerSecond?: number | null },
): BenchResult[] {
  const mbps = (s: number) => (records * PAYLOAD_BYTES) / MB / s;
  // Small figures keep more digits, so that a ratio far below its aim does not print as 0.
  const digits = (x: number, usual: number) => (x < 0.1 ? usual + 2 : usual);
  const value = mbps(engineSeconds);
  const baseline = rawSeconds === null ? null : mbps(rawSeconds);
  const ratio = baseline === null ? null : round(value / baseline, digits(value / baseline, 2));
  const peakRssMB = rss.megabytes;
  return [
    { suite: 'engine', workload, value: round(value, digits(value, 1)), unit: 'MB/s', baseline: baseline === null ? null : round(baseline, digits(baseline, 1)), ratio, target: targets.ratio, peakRssMB },
    {
      suite: 'engine',
      workload: `${workload}-records`,
      value: Math.round(records / engineSeconds),
      unit: 'records/s',
      baseline: rawSeconds === null ? null : Math.round(records / rawSeconds),
      ratio,
      target: targets.recordsPerSecond ?? null,
      peakRssMB,
    },
  ];
}
