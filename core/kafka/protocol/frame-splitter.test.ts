import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_FRAME_BYTES, FrameSplitter } from './frame-splitter';
import { ProtocolError } from './protocol-error';

function frame(payload: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(payload.length, 0);
  return Buffer.concat([prefix, payload]);
}

const payloads = [Buffer.from('0102030405', 'hex'), Buffer.alloc(0), Buffer.from('ff', 'hex'), Buffer.alloc(300, 0xab)];
const stream = Buffer.concat(payloads.map(frame));

function split(chunks: readonly Buffer[], splitter = new FrameSplitter()): Buffer[] {
  return chunks.flatMap((chunk) => splitter.push(chunk));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('FrameSplitter', () => {
  it('finds every frame whatever the stream is cut into: one cut at every byte boundary', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(split([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(payloads);
    }
  });

  it('... two cuts at every pair of boundaries around the first frames', () => {
    for (let a = 0; a <= 24; a++) {
      for (let b = a; b <= 24; b++) expect(split([stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)])).toEqual(payloads);
    }
  });

  it('... one byte at a time', () => {
    const bytes = [...stream].map((byte) => Buffer.from([byte]));
    expect(split(bytes)).toEqual(payloads);
  });

  it('... random chunkings', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: stream.length }), { maxLength: 12 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
        const chunks = points.slice(1).map((end, i) => stream.subarray(points[i], end));
        expect(split(chunks)).toEqual(payloads);
      }),
    );
  });

  it('returns a frame inside one chunk as a view, and keeps a leftover partial frame', () => {
    const splitter = new FrameSplitter();
    const chunk = Buffer.concat([frame(Buffer.from('aa', 'hex')), Buffer.from('000000', 'hex')]);
    const [first] = splitter.push(chunk);
    expect(first?.buffer).toBe(chunk.buffer);
    expect(splitter.bufferedBytes).toBe(3);
  });

  it('refuses a size prefix over the limit as soon as it is seen, and stays failed', () => {
    const splitter = new FrameSplitter({ maxFrameBytes: 1000 });
    expect(splitter.push(frame(Buffer.alloc(1000)))).toHaveLength(1);
    const huge = Buffer.from('000003e9', 'hex');
    expect(() => splitter.push(huge)).toThrow(new ProtocolError({ context: 'frame', position: 1004 }, 'frame size 1001 exceeds the 1000-byte limit in the size prefix at stream byte 1004'));
    expect(() => splitter.push(Buffer.from('00', 'hex'))).toThrow('frame size 1001 exceeds the 1000-byte limit');
    expect(() => splitter.end()).toThrow(ProtocolError);
  });

  it('has Kafka’s 100 MiB default and refuses negative sizes', () => {
    expect(DEFAULT_MAX_FRAME_BYTES).toBe(104857600);
    expect(() => new FrameSplitter().push(Buffer.from('06400001', 'hex'))).toThrow('frame size 104857601 exceeds the 104857600-byte limit');
    expect(() => new FrameSplitter().push(Buffer.from('ffffffff', 'hex'))).toThrow('negative frame size -1 in the size prefix at stream byte 0');
  });

  it('never allocates the claimed size before the bytes arrive', () => {
    const allocUnsafe = vi.spyOn(Buffer, 'allocUnsafe');
    const alloc = vi.spyOn(Buffer, 'alloc');
    const splitter = new FrameSplitter();
    const claimed = 50 * 1024 * 1024;
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(claimed, 0);
    // The prefix itself arrives cut in two, then a little of the body.
    expect(splitter.push(prefix.subarray(0, 2))).toEqual([]);
    expect(splitter.push(Buffer.concat([prefix.subarray(2), Buffer.alloc(100)]))).toEqual([]);
    expect(splitter.push(Buffer.alloc(100))).toEqual([]);
    expect(splitter.bufferedBytes).toBe(204);
    const biggest = Math.max(0, ...[...allocUnsafe.mock.calls, ...alloc.mock.calls].map(([size]) => size));
    expect(biggest).toBeLessThan(1024);
  });

  it('reports a stream that ends inside a frame or inside a size prefix', () => {
    const truncated = new FrameSplitter();
    truncated.push(Buffer.concat([frame(Buffer.from('aa', 'hex')), frame(Buffer.alloc(10)).subarray(0, 9)]));
    expect(() => truncated.end()).toThrow('frame: stream ended 5 bytes into a 10-byte frame starting at stream byte 5');
    const inPrefix = new FrameSplitter();
    inPrefix.push(Buffer.from('0000', 'hex'));
    expect(() => inPrefix.end()).toThrow('frame: stream ended 2 bytes into the 4-byte size prefix at stream byte 0');
    const clean = new FrameSplitter();
    clean.push(stream);
    expect(() => clean.end()).not.toThrow();
  });
});

describe('a bad size prefix after good frames in the same chunk', () => {
  it('returns the good frames, sets error, and refuses every later push', () => {
    const splitter = new FrameSplitter({ maxFrameBytes: 16 });
    const good = Buffer.from([0, 0, 0, 3, 1, 2, 3]);
    const bad = Buffer.from([0, 0, 1, 0]);
    const frames = splitter.push(Buffer.concat([good, good, bad]));
    expect(frames.map((f) => [...f])).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(splitter.error?.message).toContain('frame size 256 exceeds the 16-byte limit');
    expect(() => splitter.push(Buffer.alloc(1))).toThrow(/exceeds the 16-byte limit/);
  });
});
