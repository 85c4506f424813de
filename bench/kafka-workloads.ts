import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { KafkaListener } from '../core/kafka/listener/kafka-listener';
import { LogEngine } from '../core/log/engine/log-engine';
import type { BenchResult } from './measure';
import { RssPeak } from './measure';

/**
 * One step of the kafka suite, in a process of its own so its peak RSS is its own:
 *   data <work>     the input: 1,000,000 lines of 100 bytes (kcat -l reads one message a line)
 *   append <work>   the in-process baseline: engine.appendRecords in batches of 10,000
 *   kcat <work>     a listener in this process; kcat produces the file into it, then consumes it
 * Each figure is the median of three runs, each into a fresh topic.
 * Results go to stdout as JSON lines; progress to stderr.
 */

export const RECORDS = 1_000_000;
export const VALUE_BYTES = 100;
const APPEND_BATCH = 10_000;
const RUNS = 3;
const TOPIC = 'bench';
/** A batch of 10,000 100-byte records is over Kafka's default 1 MiB max.message.bytes. */
const TOPIC_CONFIG = { 'max.message.bytes': 4 << 20 };

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const KCAT = '/usr/bin/kcat';
/** Tuned for throughput: big batches, a short linger, acks from the leader (the only replica). */
export const KCAT_PRODUCE_CONFIG = ['acks=1', 'linger.ms=5', 'batch.num.messages=10000', 'queue.buffering.max.messages=1000000', 'queue.buffering.max.kbytes=1048576'];

/** Value i: its number, then filler that changes with it, 100 bytes, no newline. */
function value(i: number, into: Buffer, at: number): void {
  into.write(String(i).padStart(10, '0'), at, 'latin1');
  const fill = 97 + (i % 26);
  into.fill(fill, at + 10, at + VALUE_BYTES);
}

function writeData(work: string): void {
  const file = path.join(work, 'values.txt');
  const chunk = Buffer.alloc(100_000 * (VALUE_BYTES + 1));
  const fd = openSync(file, 'w');
  for (let start = 0; start < RECORDS; start += 100_000) {
    for (let i = 0; i < 100_000; i++) {
      value(start + i, chunk, i * (VALUE_BYTES + 1));
      chunk[i * (VALUE_BYTES + 1) + VALUE_BYTES] = 0x0a;
    }
    writeSync(fd, chunk);
  }
  closeSync(fd);
}

function appendInProcess(work: string): BenchResult {
  const rss = new RssPeak();
  const values = Array.from({ length: APPEND_BATCH }, (_, i) => {
    const b = Buffer.alloc(VALUE_BYTES);
    value(i, b, 0);
    return b;
  });
  rmSync(path.join(work, 'append'), { recursive: true, force: true });
  const engine = LogEngine.open(path.join(work, 'append'), { create: true, maintenanceIntervalMs: 0 });
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const topic = `${TOPIC}-${run}`;
    engine.createTopic(topic, { partitions: 1, config: TOPIC_CONFIG });
    const started = process.hrtime.bigint();
    for (let done = 0; done < RECORDS; done += APPEND_BATCH) {
      const now = Date.now();
      engine.appendRecords(topic, 0, values.map((v) => ({ key: null, value: v, timestamp: now })));
      if ((done / APPEND_BATCH) % 10 === 0) rss.sample();
    }
    times.push(Number(process.hrtime.bigint() - started) / 1e9);
    if (engine.endOffset(topic, 0) !== RECORDS) throw new Error(`appended ${engine.endOffset(topic, 0)} records, expected ${RECORDS}`);
    // Each run writes 110 MB; only one run's data is kept at a time.
    engine.deleteTopic(topic);
  }
  engine.close();
  return { suite: 'kafka', workload: 'in-process-append-1M', value: Math.round(RECORDS / median(times)), unit: 'records/s', baseline: null, ratio: null, target: null, peakRssMB: rss.megabytes };
}

function runKcat(args: readonly string[]): Promise<{ seconds: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    // Consumed values go to /dev/null: the figure is kcat's and the listener's, not a pipe's.
    const discard = args.includes('-C') && !args.includes('-c');
    const child = spawn(KCAT, args, { stdio: ['ignore', discard ? 'ignore' : 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('latin1')));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) reject(new Error(`kcat ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`));
      else resolve({ seconds, stdout });
    });
  });
}

async function kcatThroughListener(work: string): Promise<BenchResult[]> {
  const rss = new RssPeak();
  // The listener is asynchronous, so a timer sees its memory while kcat works against it.
  const sampler = setInterval(() => rss.sample(), 20);
  rmSync(path.join(work, 'listener'), { recursive: true, force: true });
  const engine = LogEngine.open(path.join(work, 'listener'), { create: true, maintenanceIntervalMs: 0 });
  const listener = new KafkaListener(engine, { port: 0, log: (line) => process.stderr.write(`[listener] ${line}\n`) });
  await listener.start();
  const bootstrap = `127.0.0.1:${listener.listening!.port}`;
  const produceTimes: number[] = [];
  const consumeTimes: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const topic = `${TOPIC}-${run}`;
      engine.createTopic(topic, { partitions: 1, config: TOPIC_CONFIG });
      process.stderr.write(`kafka: kcat producing (run ${run + 1} of ${RUNS})...\n`);
      const produce = await runKcat(['-b', bootstrap, '-P', '-t', topic, '-p', '0', '-l', path.join(work, 'values.txt'), ...KCAT_PRODUCE_CONFIG.flatMap((c) => ['-X', c])]);
      const stored = engine.endOffset(topic, 0);
      if (stored !== RECORDS) throw new Error(`kcat produced ${stored} records, expected ${RECORDS}`);
      process.stderr.write(`kafka: kcat consuming (run ${run + 1} of ${RUNS})...\n`);
      const consume = await runKcat(['-b', bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\\n']);
      // The consumer's output went to /dev/null; the last record, read back, shows the data arrived whole.
      const last = await runKcat(['-b', bootstrap, '-C', '-t', topic, '-p', '0', '-o', String(RECORDS - 1), '-c', '1', '-e', '-q', '-f', '%o %s\\n']);
      const expected = Buffer.alloc(VALUE_BYTES);
      value(RECORDS - 1, expected, 0);
      if (last.stdout !== `${RECORDS - 1} ${expected.toString('latin1')}\n`) throw new Error(`the last record reads back as ${JSON.stringify(last.stdout)}`);
      produceTimes.push(produce.seconds);
      consumeTimes.push(consume.seconds);
      engine.deleteTopic(topic);
    }
    const base = { suite: 'kafka', unit: 'records/s', baseline: null, ratio: null, peakRssMB: rss.megabytes };
    return [
      { ...base, workload: 'kcat-produce-1M', value: Math.round(RECORDS / median(produceTimes)), target: 300_000, targetOn: 'value' },
      { ...base, workload: 'kcat-consume-1M', value: Math.round(RECORDS / median(consumeTimes)), target: 500_000, targetOn: 'value' },
    ];
  } finally {
    clearInterval(sampler);
    await listener.stop();
    engine.close();
  }
}

async function main(): Promise<void> {
  const [step, work] = process.argv.slice(2);
  if (!step || !work) throw new Error('usage: kafka-workloads.ts <data|append|kcat> <work dir>');
  let results: BenchResult[] = [];
  if (step === 'data') writeData(work);
  else if (step === 'append') results = [appendInProcess(work)];
  else if (step === 'kcat') results = await kcatThroughListener(work);
  else throw new Error(`unknown step ${step}`);
  for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
}

await main();
