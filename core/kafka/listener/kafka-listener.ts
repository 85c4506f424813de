import { createServer, type Server } from 'node:net';
import os from 'node:os';
import { GroupCoordinator } from '../../group/group-coordinator';
import { EngineGroupStore } from '../../group/engine-group-store';
import type { LogEngine } from '../../log/engine/log-engine';
import { DEFAULT_MAX_FRAME_BYTES } from '../protocol/frame-splitter';
import { KafkaConnection } from './connection';
import type { ListenerContext } from './listener-context';
import { ProducerIdAllocator } from './producer-id-allocator';

export interface ListenerOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** The host clients are told to connect to; defaults to the listen host (or this machine's name for 0.0.0.0). */
  readonly advertisedHost?: string;
  /** Listening on anything but loopback must be asked for explicitly. */
  readonly allowRemote?: boolean;
  readonly autoCreateTopics?: boolean;
  readonly defaultPartitions?: number;
  readonly maxFrameBytes?: number;
  /** Milliseconds an empty group waits for more members before its first rebalance (Kafka: 3000). */
  readonly initialRebalanceDelayMs?: number;
  readonly log?: (line: string) => void;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Serves a log directory over the Kafka protocol as a single-node cluster, so Kafka clients and
 * tools produce to it and consume from it. Consumer groups are the engine's (`__consumer_offsets`
 * in the directory), shared with in-process consumers.
 */
export class KafkaListener {
  private server: Server | undefined;
  private readonly connections = new Set<KafkaConnection>();
  readonly groups: GroupCoordinator;
  private readonly log: (line: string) => void;
  private address: { host: string; port: number } | undefined;

  constructor(
    private readonly engine: LogEngine,
    private readonly options: ListenerOptions = {},
  ) {
    this.log = options.log ?? (() => {});
    this.groups = new GroupCoordinator({
      store: new EngineGroupStore(engine),
      initialRebalanceDelayMs: options.initialRebalanceDelayMs,
      onStoreError: (error, groupId) => this.log(`cannot store group ${groupId}: ${(error as Error).message}`),
    });
  }

  get listening(): { host: string; port: number } | undefined {
    return this.address;
  }

  async start(): Promise<{ host: string; port: number }> {
    const host = this.options.host ?? '127.0.0.1';
    if (!isLoopback(host) && !this.options.allowRemote) {
      throw new Error(`refusing to listen on ${host}: only loopback addresses are allowed unless remote access is asked for explicitly`);
    }
    if (!isLoopback(host)) this.log(`WARNING: listening on ${host}; anyone who can reach this address can read and write ${this.engine.dir}`);
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 9092, host, () => resolve());
    });
    const bound = server.address();
    const port = typeof bound === 'object' && bound ? bound.port : (this.options.port ?? 9092);
    const advertised = this.options.advertisedHost ?? (host === '0.0.0.0' || host === '::' ? os.hostname() : host);
    this.address = { host: advertised, port };
    return { host, port };
  }

  async stop(): Promise<void> {
    for (const connection of this.connections) connection.close();
    this.connections.clear();
    this.groups.close();
    const server = this.server;
    this.server = undefined;
    this.address = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: import('node:net').Socket): void {
    if (!this.address) {
      socket.destroy();
      return;
    }
    const ctx: Omit<ListenerContext, 'signal'> = {
      engine: this.engine,
      groups: this.groups,
      broker: { nodeId: this.engine.nodeId, host: this.address.host, port: this.address.port, clusterId: this.engine.clusterId },
      producerIds: (this.producerIds ??= new ProducerIdAllocator(this.engine.dir)),
      autoCreateTopics: this.options.autoCreateTopics ?? false,
      defaultPartitions: this.options.defaultPartitions ?? 1,
      log: this.log,
    };
    const connection = new KafkaConnection(socket, ctx, this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    this.connections.add(connection);
    socket.on('close', () => this.connections.delete(connection));
  }

  private producerIds: ProducerIdAllocator | undefined;
}
