import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { FrameSplitter } from './frame-splitter';
import { decodeRequest } from './frame';
import type { DecodedRequest, RequestDecodeFailure } from './frame';

/**
 * Test support for talking to a real Kafka client: a TCP server on 127.0.0.1 that splits frames,
 * decodes them with this codec, records them and answers through a script, and a runner for kcat
 * (librdkafka 2.0.2). The codec is what is under test, so the server answers only what the test
 * scripts; no engine behind it.
 */

export const KCAT = '/usr/bin/kcat';

/** kcat is part of the test environment; its absence must fail the run, not skip the proof. */
export function requireKcat(): string {
  const found = spawnSync(KCAT, ['-V'], { encoding: 'utf8' });
  if (found.error !== undefined || found.status !== 0) {
    throw new Error(`kcat not found at ${KCAT} (${found.error?.message ?? `exit ${found.status}`}): install the Debian package kcat`);
  }
  return found.stdout;
}

export interface ReceivedFrame {
  /** Connection number, from 0, in accept order. */
  readonly connection: number;
  readonly frame: Buffer;
  readonly request: DecodedRequest | RequestDecodeFailure;
}

/**
 * What to send back for a request: bytes (a size-prefixed response), or null to stay silent. A
 * promise delays the answer (a Fetch waiting for data); answers still go out in request order.
 */
export type Script = (request: DecodedRequest, received: ReceivedFrame) => Buffer | null | Promise<Buffer | null>;

export class RecordingBroker {
  readonly frames: ReceivedFrame[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly waiters: { test: (frame: ReceivedFrame) => boolean; resolve: (frame: ReceivedFrame) => void }[] = [];
  private connections = 0;
  port = 0;

  constructor(private readonly script: Script) {
    this.server = createServer((socket) => this.accept(socket));
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Resolves with the first frame (already received or still to come) that passes `test`. */
  waitFor(test: (frame: ReceivedFrame) => boolean, timeoutMs = 15_000): Promise<ReceivedFrame> {
    const seen = this.frames.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const got = this.frames.map((f) => (f.request.ok ? `${f.request.apiKey}v${f.request.apiVersion}` : f.request.problem)).join(', ');
        reject(new Error(`no matching request within ${timeoutMs} ms; received: ${got || 'nothing'}`));
      }, timeoutMs);
      this.waiters.push({
        test,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
    });
  }

  private accept(socket: Socket): void {
    const connection = this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const splitter = new FrameSplitter();
    let answered: Promise<unknown> = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of splitter.push(chunk)) {
        // Copy: the recorded frame must outlive the socket's chunk.
        const copy = Buffer.from(frame);
        const received: ReceivedFrame = { connection, frame: copy, request: decodeRequest(copy) };
        this.frames.push(received);
        if (received.request.ok) {
          const answer = this.script(received.request, received);
          answered = answered.then(async () => {
            const bytes = await answer;
            if (bytes !== null && !socket.destroyed) socket.write(bytes);
          });
        }
        for (let i = this.waiters.length - 1; i >= 0; i--) {
          const waiter = this.waiters[i];
          if (waiter !== undefined && waiter.test(received)) {
            this.waiters.splice(i, 1);
            waiter.resolve(received);
          }
        }
      }
    });
  }
}

export interface KcatRun {
  readonly child: ChildProcess;
  /** Resolves when kcat exits (or is killed), with everything it printed. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  kill(): void;
}

export function runKcat(args: readonly string[], stdin?: string): KcatRun {
  const child = spawn(KCAT, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  if (stdin !== undefined) child.stdin?.end(stdin);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    done,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
