import { ProtocolError } from './protocol-error';

/** Kafka's default socket.request.max.bytes. */
export const DEFAULT_MAX_FRAME_BYTES = 100 * 1024 * 1024;

/**
 * Splits the byte stream of one connection into frames: each is an int32 size and that many
 * bytes. Socket chunks are kept as they arrive and joined only once a whole frame is there, so a
 * client that claims a huge size and sends nothing costs nothing, and a size over the limit (or
 * negative) is refused as soon as its four bytes are seen. After an error the stream cannot be
 * resynchronised: every later push throws the same error, and the connection should be closed.
 *
 * A frame that arrived inside a single chunk is returned as a view of that chunk, without a copy.
 */
export class FrameSplitter {
  private readonly maxFrameBytes: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Stream offset of the first buffered byte, for error messages. */
  private streamOffset = 0;
  private failure: ProtocolError | null = null;

  constructor(options: { maxFrameBytes?: number } = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Bytes received but not yet returned as part of a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** The error that stopped the stream, once one has: no frame after it can be read. */
  get error(): ProtocolError | null {
    return this.failure;
  }

  /**
   * Adds a chunk and returns the frames it completed (payloads without their size prefix), in
   * order. A bad size prefix throws, unless good frames came before it in this chunk: those are
   * returned (they deserve their answers) and `error` is set for the caller to act on after them.
   */
  push(chunk: Buffer): Buffer[] {
    if (this.failure !== null) throw this.failure;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Buffer[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      let size: number;
      try {
        size = this.peekSize();
      } catch (error) {
        if (frames.length === 0) throw error;
        break;
      }
      if (this.buffered < 4 + size) break;
      this.take(4);
      frames.push(this.take(size));
    }
    return frames;
  }

  /**
   * Call when the stream ends: a partial frame left over means the peer went away mid-request
   * (or sent a size it never honoured), which the caller may want to log.
   */
  end(): void {
    if (this.failure !== null) throw this.failure;
    if (this.buffered === 0) return;
    const at = this.streamOffset;
    if (this.buffered < 4) {
      throw new ProtocolError({ context: 'frame', position: at }, `stream ended ${this.buffered} bytes into the 4-byte size prefix at stream byte ${at}`);
    }
    const size = this.peekSize();
    throw new ProtocolError({ context: 'frame', position: at }, `stream ended ${this.buffered - 4} bytes into a ${size}-byte frame starting at stream byte ${at}`);
  }

  private peekSize(): number {
    const first = this.chunks[0] as Buffer;
    const prefix = first.length >= 4 ? first : Buffer.concat(this.chunks, 4);
    const size = prefix.readInt32BE(0);
    if (size < 0 || size > this.maxFrameBytes) {
      const reason = size < 0 ? `negative frame size ${size}` : `frame size ${size} exceeds the ${this.maxFrameBytes}-byte limit`;
      this.failure = new ProtocolError({ context: 'frame', position: this.streamOffset }, `${reason} in the size prefix at stream byte ${this.streamOffset}`);
      throw this.failure;
    }
    return size;
  }

  /** Removes the next `length` bytes (all buffered) and returns them. */
  private take(length: number): Buffer {
    // An empty frame can end the buffered bytes: there is no chunk left to cut it from.
    if (length === 0) return Buffer.alloc(0);
    this.buffered -= length;
    this.streamOffset += length;
    const first = this.chunks[0] as Buffer;
    if (first.length >= length) {
      if (first.length === length) this.chunks.shift();
      else this.chunks[0] = first.subarray(length);
      return first.subarray(0, length);
    }
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.chunks[0] as Buffer;
      const part = Math.min(chunk.length, length - filled);
      chunk.copy(out, filled, 0, part);
      filled += part;
      if (part === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(part);
    }
    return out;
  }
}
