/**
 * A second process for the writer-lock tests (writer-lock.test.ts), run as
 *
 *   node --import tsx engine-child.test-support.ts <mode> <logdir> [topic]
 *
 * Modes:
 * - `open`: tries LogEngine.open and prints what happened as one JSON line, then exits.
 * - `hold`: opens the engine, appends 5 records to `<topic>` partition 0, prints
 *   `{"ready":true,...}`, then keeps the lock until stdin says `close` (or the test kills it).
 * - `read`: opens the directory read-only with LogDirectory and prints the records of
 *   `<topic>-0`; on each stdin line `refresh` it refreshes the partition and prints them again.
 *
 * Every line on stdout is one JSON object.
 */
import { createInterface } from 'node:readline';
import { LogDirectory } from '../logdir/log-directory';
import { EngineError } from './engine-error';
import { LogEngine } from './log-engine';
import { DirectoryLockedError } from './writer-lock';

const [mode, dir, topic = 't'] = process.argv.slice(2);
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
const lines = () => createInterface({ input: process.stdin });

function describeError(error: unknown): Record<string, unknown> {
  return {
    ok: false,
    name: (error as Error).name,
    message: (error as Error).message,
    holderPid: error instanceof DirectoryLockedError ? error.holder.pid : undefined,
    code: error instanceof EngineError ? error.code : undefined,
  };
}

if (!dir) throw new Error('usage: engine-child.test-support.ts open|hold|read <logdir> [topic]');

if (mode === 'open') {
  try {
    const engine = LogEngine.open(dir, { maintenanceIntervalMs: 0 });
    print({ ok: true, pid: process.pid, topics: engine.listTopics().map((t) => t.name), recovery: engine.recovery, end: engine.describeTopic(topic) ? engine.endOffset(topic, 0) : undefined });
    engine.close();
  } catch (error) {
    print(describeError(error));
  }
} else if (mode === 'hold') {
  const engine = LogEngine.open(dir, { maintenanceIntervalMs: 0 });
  if (!engine.describeTopic(topic)) engine.createTopic(topic);
  const result = engine.appendRecords(topic, 0, Array.from({ length: 5 }, (_, i) => ({ key: null, value: Buffer.from(`from ${process.pid} #${i}`), timestamp: Date.now() })));
  print({ ready: true, pid: process.pid, lastOffset: result.lastOffset });
  lines().on('line', (line) => {
    if (line.trim() !== 'close') return;
    engine.close();
    print({ closed: true });
    process.exit(0);
  });
} else if (mode === 'read') {
  const logDir = LogDirectory.open(dir);
  const partition = logDir.partition(topic, 0);
  const show = () => {
    const values = [...(partition?.batches(0) ?? [])].flatMap((b) => b.records().map((r) => `${r.offset}:${r.value?.toString() ?? 'null'}`));
    print({ values, nextOffset: partition?.nextOffset(), warnings: logDir.warnings.map((w) => w.message) });
  };
  show();
  lines().on('line', (line) => {
    if (line.trim() === 'refresh') {
      partition?.refresh();
      show();
    } else if (line.trim() === 'exit') {
      logDir.close();
      process.exit(0);
    }
  });
} else {
  throw new Error(`unknown mode ${mode}`);
}
