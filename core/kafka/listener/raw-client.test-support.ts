import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { decodeResponse, encodeRequest } from '../protocol/frame';
import { FrameSplitter } from '../protocol/frame-splitter';
import type { KnownApiKey, RequestInput, ResponseBody } from '../protocol/api-registry';

/**
 * A bare TCP connection to the listener for sending exactly the bytes a test wants (well-formed
 * requests built with the codec, or garbage) and reading back whole response frames in order.
 */
export class RawClient {
  private readonly splitter = new FrameSplitter();
  private readonly frames: Buffer[] = [];
  private readonly waiters: { resolve: (frame: Buffer) => void; reject: (error: Error) => void }[] = [];
  private ended = false;
  private correlationId = 1;
  /** Resolves when the listener closes the connection (or it fails). */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.splitter.push(chunk)) {
        const copy = Buffer.from(frame);
        const waiter = this.waiters.shift();
        if (waiter) waiter.resolve(copy);
        else this.frames.push(copy);
      }
    });
    this.closed = new Promise((resolve) => {
      const done = () => {
        this.ended = true;
        for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('the listener closed the connection'));
        resolve();
      };
      socket.on('close', done);
      socket.on('error', () => {});
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.ended;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Half-closes: no more bytes from us, as a client that died mid-request would leave it. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** The next response frame (without its size prefix), or a rejection on close or timeout. */
  nextFrame(timeoutMs = 5000): Promise<Buffer> {
    const ready = this.frames.shift();
    if (ready) return Promise.resolve(ready);
    if (this.ended) return Promise.reject(new Error('the listener closed the connection'));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (frame: Buffer) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** A frame of request `apiKey` v`apiVersion` as the codec encodes it, with the next correlation id. */
  frame<K extends KnownApiKey>(apiKey: K, apiVersion: number, body: RequestInput<K>): { bytes: Buffer; correlationId: number } {
    const correlationId = this.correlationId++;
    return { bytes: encodeRequest({ apiKey, apiVersion, correlationId, clientId: 'raw-test' }, body), correlationId };
  }

  /** Sends a well-formed request and decodes its answer; checks the correlation id. */
  async request<K extends KnownApiKey>(apiKey: K, apiVersion: number, body: RequestInput<K>): Promise<ResponseBody<K>> {
    const { bytes, correlationId } = this.frame(apiKey, apiVersion, body);
    this.write(bytes);
    const answer = decodeResponse(await this.nextFrame(), apiKey, apiVersion);
    if (answer.header.correlationId !== correlationId) throw new Error(`answer to correlation id ${answer.header.correlationId}, expected ${correlationId}`);
    return answer.body;
  }
}
