import { crc32 } from 'node:zlib';

/**
 * kcat's `-f` output, read back exactly. The format prints the key and value lengths before the
 * bytes, so keys and values may hold anything (tabs, newlines, invalid UTF-8) and are compared
 * byte for byte; only header keys and values must stay clear of `,`, `=` and newlines.
 */
export const KCAT_RECORD_FORMAT = '%p\\t%o\\t%T\\t%K\\t%k\\t%S\\t%s\\t%h\\n';

export interface KcatHeader {
  readonly key: string;
  readonly value: Buffer;
}

export interface KcatRecord {
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly KcatHeader[];
}

export function parseKcatRecords(out: Buffer): KcatRecord[] {
  const records: KcatRecord[] = [];
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`kcat output at byte ${pos}: ${what}: ${JSON.stringify(out.subarray(Math.max(0, pos - 40), pos + 40).toString('latin1'))}`);
  };
  const number = (): number => {
    const end = out.indexOf(0x09, pos);
    if (end < 0) fail('expected a tab-terminated number');
    const text = out.toString('latin1', pos, end);
    if (!/^-?\d+$/.test(text)) fail(`expected a number, got ${JSON.stringify(text)}`);
    pos = end + 1;
    return Number(text);
  };
  const sized = (): Buffer | null => {
    const length = number();
    const bytes = length < 0 ? null : Buffer.from(out.subarray(pos, pos + length));
    pos += Math.max(0, length);
    if (out[pos] !== 0x09) fail(`expected a tab after ${length} bytes`);
    pos++;
    return bytes;
  };
  while (pos < out.length) {
    const partition = number();
    const offset = number();
    const timestamp = number();
    const key = sized();
    const value = sized();
    const end = out.indexOf(0x0a, pos);
    if (end < 0) fail('expected the headers to end the line');
    const headers = parseHeaders(out.subarray(pos, end));
    pos = end + 1;
    records.push({ partition, offset, timestamp, key, value, headers });
  }
  return records;
}

function parseHeaders(text: Buffer): KcatHeader[] {
  if (text.length === 0) return [];
  const headers: KcatHeader[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf(0x2c, start);
    if (end < 0) end = text.length;
    const pair = text.subarray(start, end);
    const eq = pair.indexOf(0x3d);
    headers.push(eq < 0 ? { key: pair.toString('utf8'), value: Buffer.alloc(0) } : { key: pair.subarray(0, eq).toString('utf8'), value: Buffer.from(pair.subarray(eq + 1)) });
    start = end + 1;
  }
  return headers;
}

/** librdkafka's default partitioner (consistent_random) for a non-empty key: CRC-32 of the key. */
export function librdkafkaPartition(key: Buffer, partitions: number): number {
  return crc32(key) % partitions;
}

/** Records grouped by partition, in the order they came. */
export function byPartition<T extends { readonly partition: number }>(records: readonly T[]): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const record of records) {
    const list = map.get(record.partition) ?? [];
    list.push(record);
    map.set(record.partition, list);
  }
  return map;
}
