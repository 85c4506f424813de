import { KafkaListener } from '../../../core/kafka/listener/kafka-listener';
import { LogEngine } from '../../../core/log/engine/log-engine';
import type { LineOutput } from '../output';

export interface BrokerOptions {
  readonly listen?: string;
  readonly autoCreateTopics?: boolean;
  readonly partitions?: number;
  readonly allowRemote?: boolean;
  readonly advertisedHost?: string;
}

function parseListen(listen: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(listen);
  if (!match) throw new Error(`--listen ${listen}: expected host:port, for example 127.0.0.1:9092`);
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) };
}

/**
 * `tapedeck broker <logdir>`: serves the log directory over the Kafka protocol until interrupted,
 * then closes the directory cleanly.
 */
export async function brokerCommand(logDir: string, options: BrokerOptions, out: LineOutput, signal: AbortSignal): Promise<number> {
  const { host, port } = parseListen(options.listen ?? '127.0.0.1:9092');
  const engine = LogEngine.open(logDir, { create: true });
  const log = (line: string) => process.stderr.write(`[broker] ${line}\n`);
  for (const report of engine.recovery) log(`recovered ${report.partition}: ${JSON.stringify(report)}`);
  const listener = new KafkaListener(engine, { host, port, allowRemote: options.allowRemote, advertisedHost: options.advertisedHost, autoCreateTopics: options.autoCreateTopics, defaultPartitions: options.partitions, log });
  try {
    await listener.start();
  } catch (error) {
    engine.close();
    throw error;
  }
  const address = listener.listening!;
  out.line(`tapedeck broker serving ${engine.dir} on ${host}:${address.port} (cluster ${engine.clusterId}, node ${engine.nodeId}); Ctrl-C to stop`);
  out.flush();
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  await listener.stop();
  engine.close();
  out.line('broker stopped; the log directory was closed cleanly');
  return 0;
}
