import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogFormatError } from '../errors';
import { formatError } from '../log-fixtures.test-support';
import { CompressionCodec } from './compression-codec';
import { compress, decompress } from './compression';

const FILE = '00000000000000000042.log';
/** Not zero, so a position reported relative to the payload instead of the file shows up. */
const WHERE = { file: FILE, position: 4157 };

const CODECS = [CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd] as const;
const NAMES = { 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd' } as const;

/** Runs `fn` and returns the LogFormatError it throws; fails the test on any other outcome. */

/** Runs of repeated snippets: compressible, so compressed blocks occur, and up to ~500 KiB long. */
const compressible = fc
  .array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 3000 })), { maxLength: 6 })
  .map((runs) => Buffer.concat(runs.flatMap(([unit, times]) => Array.from({ length: times }, () => unit))));

const payloads = fc.oneof(
  fc.constant(new Uint8Array(0)),
  fc.uint8Array({ maxLength: 500 }),
  // Just under to well over 64 KiB: several lz4 blocks and several 32 KiB xerial blocks.
  fc.uint8Array({ minLength: 64 * 1024 - 16, maxLength: 140_000 }),
  compressible,
);

describe('compress and decompress', () => {
  it.each(CODECS)('round-trip arbitrary bytes with codec %i', (codec) => {
    fc.assert(
      fc.property(payloads, (data) => {
        expect(decompress(codec, compress(codec, data), WHERE).equals(data)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('passes uncompressed bytes through without copying', () => {
    const backing = new Uint8Array(32);
    const view = backing.subarray(8, 24);
    const out = decompress(CompressionCodec.None, view, WHERE);
    expect(out.buffer).toBe(backing.buffer);
    expect(out.byteOffset).toBe(8);
    expect(out.length).toBe(16);
    const buffer = Buffer.from('abc');
    expect(decompress(CompressionCodec.None, buffer, WHERE)).toBe(buffer);
    expect(compress(CompressionCodec.None, buffer)).toBe(buffer);
  });

  it.each([5, 6, 7])('rejects unknown codec %i', (codec) => {
    const error = formatError(() => decompress(codec, Buffer.from('x'), WHERE));
    expect(error.message).toBe(`${FILE} at byte 4157: unknown compression codec ${codec} (attributes bits 0-2)`);
    expect(() => compress(codec as CompressionCodec, Buffer.from('x'))).toThrow(/unknown codec/);
  });

  it.each(CODECS)('labels a codec %i failure with file, payload position and the library’s reason', (codec) => {
    const error = formatError(() => decompress(codec, Buffer.from('definitely not compressed'), WHERE));
    expect(error.file).toBe(FILE);
    expect(error.position).toBe(4157);
    expect(error.message).toMatch(new RegExp(`^${FILE} at byte 4157: ${NAMES[codec]} payload does not decompress: .+`));
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.reason).toContain((error.cause as Error).message);
  });

  it('reports a truncated xerial stream at the position it was given', () => {
    const stream = compress(CompressionCodec.Snappy, Buffer.alloc(50_000, 'a'));
    const error = formatError(() => decompress(CompressionCodec.Snappy, stream.subarray(0, stream.length - 3), WHERE));
    expect(error.message).toMatch(/^00000000000000000042\.log at byte 4157: snappy payload does not decompress: /);
    expect(error.reason).toMatch(/xerial block 1 at payload byte \d+ declares \d+ bytes, but \d+ follow$/);
  });

  it('accepts the broken legacy LZ4 header checksum only with legacyLz4', () => {
    const frame = compress(CompressionCodec.Lz4, Buffer.from('legacy'));
    frame[6] = 0x00;
    expect(formatError(() => decompress(CompressionCodec.Lz4, frame, WHERE)).reason).toMatch(/header checksum/);
    // Any wrong checksum is repaired in legacy mode: Kafka's own reader skipped the check for magic 0.
    expect(decompress(CompressionCodec.Lz4, frame, WHERE, { legacyLz4: true }).toString()).toBe('legacy');
  });

  it.each(CODECS)('rejects every kind of truncation of codec %i output that its format can detect', (codec) => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100_000 }), fc.nat(), (data, cut) => {
        const packed = compress(codec, data);
        const length = cut % packed.length;
        if (codec === CompressionCodec.Snappy && cutsBetweenXerialBlocks(packed, length)) return;
        formatError(() => decompress(codec, packed.subarray(0, length), WHERE));
      }),
      { numRuns: 100 },
    );
  });

  it.each(CODECS)('fails only with LogFormatError on corrupted codec %i input', (codec) => {
    fc.assert(
      fc.property(
        payloads,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        (data, flips) => {
          const corrupted = Buffer.from(compress(codec, data));
          for (const [at, mask] of flips) corrupted[at % corrupted.length] = corrupted[at % corrupted.length]! ^ mask;
          let out: Buffer;
          try {
            out = decompress(codec, corrupted, WHERE);
          } catch (error) {
            expect(error).toBeInstanceOf(LogFormatError);
            return;
          }
          // gzip's CRC-32 covers the data, so a corruption that decodes must have been harmless
          // (a header byte such as the mtime). The others carry no checksum when Kafka writes them:
          // there the batch's CRC is what catches it.
          if (codec === CompressionCodec.Gzip) expect(out.equals(data)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});

/** A xerial stream cut at a block boundary is still a valid, shorter stream: nothing can notice. */
function cutsBetweenXerialBlocks(stream: Buffer, length: number): boolean {
  let at = 16;
  while (at < length) at += 4 + stream.readInt32BE(at);
  return at === length;
}
