import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeDemoWorkspace } from '../../host/demo-workspace';
import type { LineOutput } from '../output';
import { topicsCommand } from './topics';

export const DEFAULT_DEMO_DIR = path.join(os.homedir(), '.tapedeck', 'demo');

export interface DemoOptions {
  readonly orders?: number;
}

/**
 * `tapedeck demo [dir]`: writes the built-in demo workspace (a Kafka log directory) if it is not
 * there yet, then shows what it holds and what to try next.
 */
export function demoCommand(dir: string | undefined, options: DemoOptions, out: LineOutput): number {
  const target = path.resolve(dir ?? DEFAULT_DEMO_DIR);
  if (!existsSync(target) || readdirSync(target).length === 0) {
    const written = writeDemoWorkspace(target, options.orders);
    out.line(`Wrote the demo workspace to ${target}: ${written.records} records in ${written.topics} topics, ${written.partitions} partitions.`);
  } else {
    out.line(`Using the demo workspace at ${target}.`);
  }
  out.line('');
  topicsCommand(target, {}, out);
  out.line('');
  out.line('Try next:');
  out.line(`  npx tapedeck dump ${path.join(target, 'orders-0')} --limit 5`);
  out.line(`  npx tapedeck dump ${target} --topic payments --json --limit 3`);
  out.line(`  npx tapedeck groups ${target}`);
  out.line(`  npx tapedeck broker ${target}     # then, from any Kafka client: kcat -b 127.0.0.1:9092 -L`);
  return 0;
}
