import type { Socket } from 'node:net';
import { type DecodedRequest, decodeRequest, encodeResponse, failureResponse } from '../protocol/frame';
import { FrameSplitter } from '../protocol/frame-splitter';
import { CloseConnection, dispatch } from './request-dispatcher';
import type { ListenerContext } from './listener-context';

/** Requests in flight per connection before reading pauses (clients pipeline, within reason). */
const MAX_IN_FLIGHT = 64;
/** Kafka's connections.max.idle.ms default: a connection silent this long is closed. */
const IDLE_TIMEOUT_MS = 600_000;
/** How long a refused connection may take to receive the answers it is owed before it is cut. */
const FLUSH_BEFORE_CLOSE_MS = 5000;

/** The place in the response order where the connection is closed, and why. */
class Refusal {
  constructor(readonly reason: string) {}
}

/**
 * One client connection. Frames are decoded as they arrive and handled concurrently (a Fetch may
 * wait for data, a JoinGroup for other members), but responses go out in request order, as the
 * protocol requires. Anything wrong with what the client sent is confined to this connection:
 * it gets the protocol's error answer where there is one, or is closed with a log line saying why.
 */
export class KafkaConnection {
  private readonly splitter: FrameSplitter;
  private readonly pending: Promise<Buffer | Refusal | null>[] = [];
  private writing = false;
  private closed = false;
  /** A frame could not be served: nothing more is read, and the connection closes once the requests before it are answered. */
  private refusing = false;
  private readonly abort = new AbortController();
  readonly label: string;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: Omit<ListenerContext, 'signal'>,
    maxFrameBytes: number,
  ) {
    this.label = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.splitter = new FrameSplitter({ maxFrameBytes });
    socket.setNoDelay(true);
    // A client that sends half a frame and goes quiet must not hold its connection forever.
    socket.setTimeout(IDLE_TIMEOUT_MS, () => this.close(`idle for ${IDLE_TIMEOUT_MS / 1000} s`));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (error) => this.close(`socket error: ${error.message}`));
    socket.on('close', () => this.close());
  }

  /** Closes now; with `flush`, what was already written is delivered first. */
  close(reason?: string, flush = false): void {
    if (this.closed) return;
    this.closed = true;
    if (reason) this.ctx.log(`closing connection ${this.label}: ${reason}`);
    this.abort.abort();
    if (!flush) {
      this.socket.destroy();
      return;
    }
    const cut = setTimeout(() => this.socket.destroy(), FLUSH_BEFORE_CLOSE_MS);
    cut.unref();
    this.socket.end(() => {
      clearTimeout(cut);
      this.socket.destroy();
    });
  }

  /**
   * Stops reading and closes once the requests that came before are answered, as Kafka does
   * (it reads one request at a time, so those were served before it saw the bad one).
   */
  private refuse(reason: string): void {
    this.refusing = true;
    this.socket.pause();
    this.enqueue(Promise.resolve(new Refusal(reason)));
  }

  private onData(chunk: Buffer): void {
    if (this.refusing || this.closed) return;
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (error) {
      this.refuse((error as Error).message);
      return;
    }
    for (const frame of frames) {
      if (this.closed || this.refusing) return;
      let decoded: ReturnType<typeof decodeRequest>;
      try {
        decoded = decodeRequest(frame);
      } catch (error) {
        // Bad client bytes come back as failures; a throw is a bug here, but it stays on this connection.
        this.refuse(`internal error while decoding a request: ${(error as Error).stack ?? String(error)}`);
        return;
      }
      if (!decoded.ok) {
        const answer = failureResponse(decoded);
        if (!answer) {
          this.refuse(`${decoded.problem}: ${decoded.error.message}`);
          return;
        }
        this.enqueue(Promise.resolve(answer));
        continue;
      }
      this.enqueue(this.handle(decoded));
    }
    // A bad size prefix after good frames in the same chunk: those were answered first, now refuse.
    const failure = this.splitter.error;
    if (failure && !this.refusing && !this.closed) {
      this.refuse(failure.message);
      return;
    }
    if (this.pending.length >= MAX_IN_FLIGHT) this.socket.pause();
  }

  /** The client is done sending: a frame it left unfinished is worth a line in the log. */
  private onEnd(): void {
    if (this.closed || this.refusing) return;
    try {
      this.splitter.end();
    } catch (error) {
      this.close((error as Error).message);
    }
  }

  private async handle(request: DecodedRequest): Promise<Buffer | Refusal | null> {
    const origin = { clientId: request.header.clientId ?? '', clientHost: `/${this.socket.remoteAddress ?? ''}` };
    const body = await dispatch({ ...this.ctx, signal: this.abort.signal }, request, origin);
    if (body === null) return null;
    if (body instanceof CloseConnection) {
      this.refusing = true;
      return new Refusal(body.reason);
    }
    return encodeResponse({ correlationId: request.header.correlationId }, request.apiKey, request.apiVersion, body as never);
  }

  private enqueue(response: Promise<Buffer | Refusal | null>): void {
    // A handler that fails is a bug on our side: the client cannot be told in protocol terms
    // without lying, so its connection is closed and the reason logged; the listener goes on.
    const settled = response.catch((error: unknown) => {
      this.close(`internal error while handling a request: ${(error as Error).stack ?? String(error)}`);
      return null;
    });
    this.pending.push(settled);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.pending.length && !this.closed) {
        const response = await this.pending[0]!;
        this.pending.shift();
        if (response instanceof Refusal) {
          this.close(response.reason, true);
          return;
        }
        if (response && !this.closed && !this.socket.write(response)) {
          await new Promise<void>((resolve) => this.socket.once('drain', resolve));
        }
        if (this.pending.length < MAX_IN_FLIGHT && this.socket.isPaused() && !this.refusing) this.socket.resume();
      }
    } finally {
      this.writing = false;
    }
  }
}
