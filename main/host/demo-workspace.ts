import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeRecordBatch, type RecordToEncode } from '../../core/log/batch/record-batch-encoder';
import { CompressionCodec } from '../../core/log/compression/compression-codec';
import { partitionForKey } from '../../core/log/partitioner/murmur2';
import { writeSealedSegment } from '../../core/log/segment/sealed-segment-writer';

/** One topic of the demo: how many partitions and which codec its producer used. */
interface DemoTopic {
  readonly name: string;
  readonly partitions: number;
  readonly codec: CompressionCodec;
}

export const DEMO_TOPICS: readonly DemoTopic[] = [
  { name: 'orders', partitions: 3, codec: CompressionCodec.None },
  { name: 'payments', partitions: 2, codec: CompressionCodec.Lz4 },
  { name: 'shipments', partitions: 2, codec: CompressionCodec.Zstd },
  { name: 'customers', partitions: 1, codec: CompressionCodec.Snappy },
  { name: 'audit-log', partitions: 1, codec: CompressionCodec.Gzip },
];

/** The demo's clock: a fixed afternoon, so the same workspace comes out on every machine. */
export const DEMO_START = Date.parse('2026-01-15T12:00:00.000Z');

interface DemoEvent {
  readonly topic: string;
  readonly key: string;
  readonly value: object | null;
  readonly timestamp: number;
  readonly headers: Record<string, string>;
}

/** A small deterministic PRNG (mulberry32) so the demo is reproducible without storing it. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REGIONS = ['EU', 'US', 'APAC'] as const;
const PRODUCTS = ['keyboard', 'mouse', 'monitor', 'headset', 'webcam', 'dock'] as const;

/**
 * The story the demo tells: customers sign up and change address; they place orders; each order is
 * paid (or the payment fails and is retried) and then shipped. One `orderId` follows an order
 * through `orders`, `payments` and `shipments`, so journeys have something to follow.
 */
export function demoEvents(orderCount = 2000, seed = 42): DemoEvent[] {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const events: DemoEvent[] = [];
  const customerCount = Math.max(10, Math.floor(orderCount / 8));
  for (let c = 1; c <= customerCount; c++) {
    const id = `cust-${String(c).padStart(4, '0')}`;
    const t = DEMO_START + Math.floor(rnd() * 60_000);
    events.push({ topic: 'customers', key: id, value: { customerId: id, name: `Customer ${c}`, region: pick(REGIONS), tier: rnd() < 0.2 ? 'gold' : 'standard' }, timestamp: t, headers: { source: 'signup-service' } });
  }
  let clock = DEMO_START + 60_000;
  for (let o = 1; o <= orderCount; o++) {
    clock += 200 + Math.floor(rnd() * 1600);
    const orderId = `ord-${String(o).padStart(6, '0')}`;
    const customerId = `cust-${String(1 + Math.floor(rnd() * customerCount)).padStart(4, '0')}`;
    const trace = `trace-${o.toString(16).padStart(8, '0')}`;
    const items = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({ sku: pick(PRODUCTS), qty: 1 + Math.floor(rnd() * 3), price: Math.round(1000 + rnd() * 30000) / 100 }));
    const total = Math.round(items.reduce((sum, item) => sum + item.qty * item.price, 0) * 100) / 100;
    const region = pick(REGIONS);
    events.push({ topic: 'orders', key: orderId, value: { type: 'OrderPlaced', orderId, customerId, region, items, total, currency: 'EUR' }, timestamp: clock, headers: { 'trace-id': trace, source: 'shop-web' } });
    let t = clock + 300 + Math.floor(rnd() * 4000);
    if (rnd() < 0.08) {
      events.push({ topic: 'payments', key: orderId, value: { type: 'PaymentFailed', orderId, amount: total, reason: 'card_declined' }, timestamp: t, headers: { 'trace-id': trace, source: 'payment-service' } });
      t += 5000 + Math.floor(rnd() * 20000);
    }
    if (rnd() < 0.03) {
      events.push({ topic: 'orders', key: orderId, value: { type: 'OrderCancelled', orderId, customerId, reason: 'customer_request' }, timestamp: t, headers: { 'trace-id': trace, source: 'shop-web' } });
      continue;
    }
    events.push({ topic: 'payments', key: orderId, value: { type: 'PaymentCaptured', orderId, amount: total, method: rnd() < 0.7 ? 'card' : 'invoice' }, timestamp: t, headers: { 'trace-id': trace, source: 'payment-service' } });
    t += 60_000 + Math.floor(rnd() * 600_000);
    events.push({ topic: 'shipments', key: orderId, value: { type: 'Shipped', orderId, carrier: pick(['DHL', 'UPS', 'PostNL']), parcels: items.length }, timestamp: t, headers: { 'trace-id': trace, source: 'warehouse' } });
    t += 3_600_000 + Math.floor(rnd() * 7_200_000);
    events.push({ topic: 'shipments', key: orderId, value: { type: 'Delivered', orderId }, timestamp: t, headers: { 'trace-id': trace, source: 'carrier-webhook' } });
    events.push({ topic: 'audit-log', key: customerId, value: { action: 'order.completed', orderId, at: new Date(t).toISOString() }, timestamp: t, headers: { source: 'audit' } });
    if (rnd() < 0.05) {
      events.push({ topic: 'customers', key: customerId, value: { customerId, region: pick(REGIONS), tier: 'gold', updated: 'address' }, timestamp: clock + 1000, headers: { source: 'profile-service' } });
    }
  }
  // A customer who closed their account: a tombstone in the changelog.
  events.push({ topic: 'customers', key: 'cust-0003', value: null, timestamp: clock + 10_000, headers: { source: 'gdpr-erasure' } });
  return events.sort((a, b) => a.timestamp - b.timestamp);
}

/** Producers batch what they send within a short window; the demo groups events the same way. */
const BATCH_RECORDS = 20;

/**
 * Writes the demo workspace as a Kafka log directory at `dir` (which must be empty or missing):
 * one sealed segment per partition, `meta.properties` and the root checkpoints a broker keeps.
 */
export function writeDemoWorkspace(dir: string, orderCount = 2000): { topics: number; partitions: number; records: number } {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} is not empty; the demo is written only into an empty or new directory`);
  mkdirSync(dir, { recursive: true });
  const events = demoEvents(orderCount);
  const utf8 = (s: string) => Buffer.from(s, 'utf8');
  const ends: string[] = [];
  let partitions = 0;
  for (const topic of DEMO_TOPICS) {
    const byPartition: RecordToEncode[][] = Array.from({ length: topic.partitions }, () => []);
    for (const event of events.filter((e) => e.topic === topic.name)) {
      const key = utf8(event.key);
      byPartition[partitionForKey(key, topic.partitions)]!.push({
        key,
        value: event.value === null ? null : utf8(JSON.stringify(event.value)),
        timestamp: event.timestamp,
        headers: Object.entries(event.headers).map(([k, v]) => ({ key: k, value: utf8(v) })),
      });
    }
    byPartition.forEach((records, p) => {
      const batches: Buffer[] = [];
      for (let i = 0; i < records.length; i += BATCH_RECORDS) {
        batches.push(encodeRecordBatch({ baseOffset: 0, records: records.slice(i, i + BATCH_RECORDS), compression: topic.codec }));
      }
      const next = writeSealedSegment(path.join(dir, `${topic.name}-${p}`), 0, batches);
      ends.push(`${topic.name} ${p} ${next}`);
      partitions++;
    });
  }
  writeFileSync(path.join(dir, 'meta.properties'), '#Written by tapedeck demo\nversion=1\ncluster.id=tapedeck-demo-cluster0\nnode.id=1\n');
  const checkpoint = `0\n${ends.length}\n${ends.join('\n')}\n`;
  writeFileSync(path.join(dir, 'recovery-point-offset-checkpoint'), checkpoint);
  writeFileSync(path.join(dir, 'replication-offset-checkpoint'), checkpoint);
  writeFileSync(path.join(dir, 'log-start-offset-checkpoint'), '0\n0\n');
  return { topics: DEMO_TOPICS.length, partitions, records: events.length };
}
