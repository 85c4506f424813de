/**
 * The writer process of the crash test (crash.test.ts), run as its own Node process so the test
 * can kill it with SIGKILL at any moment. It opens a log directory with the engine (which recovers
 * whatever the last killed writer left), reports what recovery did, waits for the test's `go`,
 * then appends small batches of keyed records whose values name a global sequence number, and
 * prints one ack line per append, only after appendRecords returned (after the fsync when the
 * topic has `flush.messages=1`). The sequence resumes from the records already in the log.
 *
 *   node --import tsx crash-writer.test-support.ts <logdir> fsync|buffered
 *
 * stdout carries one JSON object per line: `opening`, `ready`, then `ack` lines. stdin takes one
 * line: `go` (start appending until killed) or `close` (close cleanly and exit).
 *
 * The record contents are a function of the sequence number alone, so the test can check every
 * byte of a record it finds without having kept it.
 */
import { readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { LogEngine } from './log-engine';

export const CRASH_TOPIC = 'crash';
export const CRASH_PARTITIONS = 2;
/** Small segments, so that rolls happen many times during the test. */
export const CRASH_SEGMENT_BYTES = 64 * 1024;

/** A cheap deterministic integer hash (the murmur3 finaliser). */
function mix(n: number): number {
  let h = Math.imul(n ^ (n >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Most records are a few bytes; about 1 in 40 carries 16 to 192 KiB of padding. The large ones
 * make the write of a batch span many pages, so that a kill can land in the middle of it and
 * leave a torn batch for recovery to cut (a small write is all but atomic against SIGKILL).
 */
export function paddingFor(seq: number): number {
  const h = mix(seq);
  return h % 40 === 0 ? 16 * 1024 + (mix(h) % (176 * 1024)) : 0;
}

export function keyFor(seq: number): Buffer {
  return Buffer.from(`key-${seq % 13}`);
}

export function valueFor(seq: number): Buffer {
  return Buffer.from(JSON.stringify({ seq, pad: 'x'.repeat(paddingFor(seq)) }));
}

/** The sequence number a record value carries. */
export function seqOf(value: Buffer | null): number {
  if (value === null) throw new Error('a record without a value');
  // Only the head is parsed: the padding follows the sequence number.
  const match = /^\{"seq":(\d+),/.exec(value.subarray(0, 40).toString('latin1'));
  if (!match) throw new Error(`not a crash-test value: ${value.subarray(0, 40).toString('latin1')}`);
  return Number(match[1]);
}

export interface AckLine {
  readonly type: 'ack';
  readonly partition: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly seqs: readonly number[];
}

export interface ReadyLine {
  readonly type: 'ready';
  readonly pid: number;
  /** The pid named by the writer lock before this process opened the directory (a killed writer's). */
  readonly staleLockPid: number | null;
  /** The pid the lock names once the engine is open: this process. */
  readonly lockPid: number | null;
  readonly recovery: LogEngine['recovery'];
  readonly nextSeq: number;
  readonly endOffsets: readonly number[];
  /** How long LogEngine.open (recovery included) took. */
  readonly openMs: number;
}

export type WriterLine = { readonly type: 'opening'; readonly pid: number } | ReadyLine | AckLine;

function lockPid(dir: string): number | null {
  try {
    const holder = JSON.parse(readFileSync(path.join(dir, '.tapedeck', 'writer.lock'), 'utf8')) as { pid?: unknown };
    return typeof holder.pid === 'number' ? holder.pid : null;
  } catch {
    return null;
  }
}

/** A synchronous write, so that a line is in the pipe before the next append starts. */
function emit(line: WriterLine): void {
  const bytes = Buffer.from(`${JSON.stringify(line)}\n`);
  let written = 0;
  while (written < bytes.length) {
    try {
      written += writeSync(1, bytes, written, bytes.length - written);
    } catch (error) {
      // A non-blocking pipe that is momentarily full: the test drains it continuously.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

function nextCommand(): Promise<string> {
  return new Promise((resolve) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      process.stdin.off('data', onData);
      process.stdin.pause();
      resolve(buffered.slice(0, newline).trim());
    };
    process.stdin.on('data', onData);
    // The test went away without a word: stop rather than write forever.
    process.stdin.once('end', () => resolve('close'));
  });
}

async function main(dir: string, mode: 'fsync' | 'buffered'): Promise<void> {
  emit({ type: 'opening', pid: process.pid });
  const staleLockPid = lockPid(dir);
  const openedAt = performance.now();
  const engine = LogEngine.open(dir, { create: true, maintenanceIntervalMs: 0 });
  const openMs = performance.now() - openedAt;
  if (!engine.describeTopic(CRASH_TOPIC)) {
    const config: Record<string, number> = { 'segment.bytes': CRASH_SEGMENT_BYTES };
    if (mode === 'fsync') config['flush.messages'] = 1;
    engine.createTopic(CRASH_TOPIC, { partitions: CRASH_PARTITIONS, config });
  }
  let nextSeq = 0;
  const endOffsets: number[] = [];
  for (let p = 0; p < CRASH_PARTITIONS; p++) {
    const end = engine.endOffset(CRASH_TOPIC, p);
    endOffsets.push(end);
    if (end <= engine.startOffset(CRASH_TOPIC, p)) continue;
    const [last] = engine.read(CRASH_TOPIC, p, { fromOffset: end - 1, maxRecords: 1 });
    if (!last) throw new Error(`${CRASH_TOPIC}-${p}: no record at offset ${end - 1}, the log end minus one`);
    nextSeq = Math.max(nextSeq, seqOf(last.record.value) + 1);
  }
  emit({ type: 'ready', pid: process.pid, staleLockPid, lockPid: lockPid(dir), recovery: engine.recovery, nextSeq, endOffsets, openMs });

  if ((await nextCommand()) !== 'go') {
    engine.close();
    return;
  }
  // Appends until killed. The guard only matters if the test died and left this process behind.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const partition = Math.floor(Math.random() * CRASH_PARTITIONS);
    const count = 1 + Math.floor(Math.random() * 5);
    const seqs = Array.from({ length: count }, (_, i) => nextSeq + i);
    nextSeq += count;
    const now = Date.now();
    const result = engine.appendRecords(
      CRASH_TOPIC,
      partition,
      seqs.map((seq) => ({ key: keyFor(seq), value: valueFor(seq), timestamp: now })),
    );
    emit({ type: 'ack', partition, baseOffset: result.baseOffset, lastOffset: result.lastOffset, seqs });
  }
  engine.close();
}

const [dirArg, modeArg] = process.argv.slice(2);
if (process.argv[1]?.endsWith('crash-writer.test-support.ts') && dirArg) {
  if (modeArg !== 'fsync' && modeArg !== 'buffered') {
    console.error('usage: crash-writer.test-support.ts <logdir> fsync|buffered');
    process.exit(2);
  }
  // Exits explicitly: the stdin pipe would otherwise keep a cleanly closed writer alive.
  main(dirArg, modeArg).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
