import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogBatch } from '../batch/log-record';
import { CompressionCodec } from '../compression/compression-codec';
import { compress } from '../compression/compression';
import { LogFormatError } from '../errors';
import { formatError } from '../log-fixtures.test-support';
import { readLegacyMessage } from './legacy-message';
import { encodeLegacyCompressedWrapper, encodeLegacyMessage } from './legacy-message-writer';
import type { LegacyInnerRecordSpec, LegacyTimestampType } from './legacy-message-writer';

const FILE = '00000000000000000000.log';
/** Not zero, so a position reported relative to the buffer instead of the file shows up. */
const AT = 4096;

const COMPRESSED = [
  CompressionCodec.Gzip,
  CompressionCodec.Snappy,
  CompressionCodec.Lz4,
  CompressionCodec.Zstd,
] as const;
const CODEC_NAMES = { 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd' } as const;

const b = (text: string): Buffer => Buffer.from(text, 'utf8');
/** Records with key and value as hex, because deep equality walks Buffers byte by byte (slow at 100 KB). */
const asHex = (records: readonly { key: Uint8Array | null; value: Uint8Array | null }[]): unknown[] =>
  records.map((r) => ({
    ...r,
    key: r.key && Buffer.from(r.key).toString('hex'),
    value: r.value && Buffer.from(r.value).toString('hex'),
  }));
const hex = (text: string): Buffer => Buffer.from(text.replace(/[\s·|]/g, ''), 'hex');

/** Runs `fn` and returns the LogFormatError it throws; fails the test on any other outcome. */

/** Everything a reader may touch, so a malformed entry cannot hide behind laziness. */
function readFully(buffer: Buffer, position = AT): LogBatch {
  const batch = readLegacyMessage(buffer, position, FILE);
  batch.verifyChecksum();
  void batch.baseOffset;
  void batch.recordCount;
  batch.records();
  return batch;
}

/** A wrapper around hand-made inner bytes, for inner sets the writer would refuse to make. */
function wrapRaw(magic: 0 | 1, wrapperOffset: number, codec: CompressionCodec, inner: Buffer, timestamp = 1000): Buffer {
  return encodeLegacyMessage({
    offset: wrapperOffset,
    magic,
    ...(magic === 1 ? { timestamp } : {}),
    key: null,
    value: compress(codec, inner),
    codec,
  });
}

describe('hand-assembled messages', () => {
  // CRCs computed once with python3 -c 'import zlib; print(hex(zlib.crc32(bytes.fromhex("..."))))'
  // over the bytes from magic to the end.
  const v0 = hex(`
    0000000000000005 · 00000011 · d0a1b23e · 00 · 00 ·
    00000001 6b · 00000002 6869`);
  const v1 = hex(`
    0000000102030405 · 00000017 · 1587d22b · 01 · 08 · 000001748aaf1442 ·
    ffffffff · 00000001 31`);

  it('decodes a magic 0 message: offset 5, key "k", value "hi"', () => {
    const batch = readLegacyMessage(v0, AT, FILE);
    batch.verifyChecksum();
    expect(batch).toMatchObject({
      magic: 0,
      position: AT,
      sizeInBytes: 29,
      baseOffset: 5,
      lastOffset: 5,
      partitionLeaderEpoch: -1,
      maxTimestamp: -1,
      timestampType: 'NoTimestampType',
      compression: CompressionCodec.None,
      isTransactional: false,
      isControl: false,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      recordCount: 1,
    });
    expect(batch.records()).toEqual([
      { offset: 5, timestamp: -1, timestampType: 'NoTimestampType', key: b('k'), value: b('hi'), headers: [] },
    ]);
  });

  it('decodes a magic 1 LogAppendTime message with a null key and an offset above 2^32', () => {
    const batch = readLegacyMessage(v1, AT, FILE);
    batch.verifyChecksum();
    expect(batch).toMatchObject({
      magic: 1,
      sizeInBytes: 35,
      baseOffset: 0x01_0203_0405,
      lastOffset: 0x01_0203_0405,
      maxTimestamp: 1600054563906,
      timestampType: 'LogAppendTime',
      compression: CompressionCodec.None,
      recordCount: 1,
    });
    expect(batch.records()).toEqual([
      {
        offset: 4328719365,
        timestamp: 1600054563906,
        timestampType: 'LogAppendTime',
        key: null,
        value: b('1'),
        headers: [],
      },
    ]);
  });

  it('hands out key and value as views of the entry, not copies', () => {
    const [record] = readLegacyMessage(v0, AT, FILE).records();
    expect(record?.value?.buffer).toBe(v0.buffer);
  });

  it('is what the writer produces for the same message', () => {
    expect(encodeLegacyMessage({ offset: 5, magic: 0, key: b('k'), value: b('hi') })).toEqual(v0);
    expect(
      encodeLegacyMessage({
        offset: 4328719365,
        magic: 1,
        timestamp: 1600054563906,
        timestampType: 'LogAppendTime',
        key: null,
        value: b('1'),
      }),
    ).toEqual(v1);
  });

  it('ignores bytes after the entry', () => {
    const batch = readLegacyMessage(Buffer.concat([v0, v1]), AT, FILE);
    batch.verifyChecksum();
    expect(batch.sizeInBytes).toBe(29);
  });
});

describe('uncompressed round trips', () => {
  it('magic 0 has no timestamp', () => {
    const batch = readFully(encodeLegacyMessage({ offset: 42, magic: 0, key: null, value: null }));
    expect(batch).toMatchObject({ magic: 0, sizeInBytes: 26, maxTimestamp: -1, timestampType: 'NoTimestampType' });
    expect(batch.records()).toEqual([
      { offset: 42, timestamp: -1, timestampType: 'NoTimestampType', key: null, value: null, headers: [] },
    ]);
  });

  it.each<LegacyTimestampType>(['CreateTime', 'LogAppendTime'])('magic 1 with %s', (timestampType) => {
    const batch = readFully(
      encodeLegacyMessage({ offset: 7, magic: 1, timestamp: 1_700_000_000_123, timestampType, key: b(''), value: b('v') }),
    );
    expect(batch).toMatchObject({ magic: 1, sizeInBytes: 35, maxTimestamp: 1_700_000_000_123, timestampType });
    expect(batch.records()).toEqual([
      { offset: 7, timestamp: 1_700_000_000_123, timestampType, key: b(''), value: b('v'), headers: [] },
    ]);
  });

  it('magic 1 without a timestamp stores -1', () => {
    const batch = readFully(encodeLegacyMessage({ offset: 0, magic: 1, key: null, value: b('x') }));
    expect(batch).toMatchObject({ maxTimestamp: -1, timestampType: 'CreateTime' });
    expect(batch.records()[0]?.timestamp).toBe(-1);
  });
});

describe.each(COMPRESSED)('compressed wrappers, codec %i', (codec) => {
  const records: LegacyInnerRecordSpec[] = [
    { key: b('user-1'), value: b('{"n":1}'), timestamp: 1_000 },
    { key: null, value: b('no key'), timestamp: 3_000 },
    { key: b('user-1'), value: null, timestamp: 2_000 },
    { key: b(''), value: b(''), timestamp: 4_000 },
    { key: b('big'), value: Buffer.alloc(100_000, 'abc'), timestamp: 5_000 },
  ];

  it('magic 0: absolute inner offsets, no timestamps', () => {
    const bytes = encodeLegacyCompressedWrapper({
      magic: 0,
      wrapperOffset: 104,
      codec,
      records: records.map(({ key, value }) => ({ key, value })),
    });
    const batch = readFully(bytes);
    expect(batch).toMatchObject({
      magic: 0,
      sizeInBytes: bytes.length,
      compression: codec,
      baseOffset: 100,
      lastOffset: 104,
      recordCount: 5,
      maxTimestamp: -1,
      timestampType: 'NoTimestampType',
    });
    expect(asHex(batch.records())).toEqual(
      asHex(
        records.map((r, i) => ({
          offset: 100 + i,
          timestamp: -1,
          timestampType: 'NoTimestampType',
          key: r.key,
          value: r.value,
          headers: [],
        })),
      ),
    );
  });

  it('magic 1 CreateTime: relative inner offsets, each record keeps its own timestamp', () => {
    const batch = readFully(encodeLegacyCompressedWrapper({ magic: 1, wrapperOffset: 2 ** 40, codec, records }));
    expect(batch).toMatchObject({
      magic: 1,
      compression: codec,
      baseOffset: 2 ** 40 - 4,
      lastOffset: 2 ** 40,
      recordCount: 5,
      maxTimestamp: 5_000,
      timestampType: 'CreateTime',
    });
    expect(asHex(batch.records())).toEqual(
      asHex(
        records.map((r, i) => ({
          offset: 2 ** 40 - 4 + i,
          timestamp: r.timestamp,
          timestampType: 'CreateTime',
          key: r.key,
          value: r.value,
          headers: [],
        })),
      ),
    );
  });

  it('magic 1 LogAppendTime: every record takes the wrapper timestamp', () => {
    const batch = readFully(
      encodeLegacyCompressedWrapper({
        magic: 1,
        wrapperOffset: 9,
        codec,
        records,
        timestampType: 'LogAppendTime',
        wrapperTimestamp: 1_234_567,
      }),
    );
    expect(batch).toMatchObject({ baseOffset: 5, lastOffset: 9, maxTimestamp: 1_234_567, timestampType: 'LogAppendTime' });
    for (const record of batch.records()) {
      expect(record).toMatchObject({ timestamp: 1_234_567, timestampType: 'LogAppendTime' });
    }
  });

  it('returns a fresh array from records() each time', () => {
    const batch = readFully(encodeLegacyCompressedWrapper({ magic: 1, wrapperOffset: 4, codec, records }));
    const first = batch.records();
    first.pop();
    expect(batch.records()).toHaveLength(5);
  });

  it('reports errors in the inner set at the wrapper position and the inner byte', () => {
    const good = encodeLegacyMessage({ offset: 0, magic: 1, timestamp: 1, key: null, value: b('abc') });
    const bad = Buffer.from(good);
    bad.writeInt32BE(-7, 26); // key length of the second inner message
    const error = formatError(() => readFully(wrapRaw(1, 1, codec, Buffer.concat([good, bad]))));
    expect(error.position).toBe(AT);
    expect(error.reason).toBe(
      `inside the ${CODEC_NAMES[codec]} payload at inner byte ${good.length + 26}: ` +
        'key length -7 is negative (only -1, for null, is allowed)',
    );
  });
});

describe('offsets of compressed wrappers', () => {
  it('magic 1: absolute = wrapper offset - last relative + relative, also when compaction left gaps', () => {
    const inner = Buffer.concat(
      [0, 2, 5].map((offset) => encodeLegacyMessage({ offset, magic: 1, timestamp: offset, key: null, value: b(`v${offset}`) })),
    );
    const batch = readFully(wrapRaw(1, 50, CompressionCodec.Gzip, inner));
    expect(batch.baseOffset).toBe(45);
    expect(batch.lastOffset).toBe(50);
    expect(batch.recordCount).toBe(3);
    expect(batch.records().map((r) => r.offset)).toEqual([45, 47, 50]);
  });

  it('magic 1: relative offsets need not start at 0', () => {
    const inner = Buffer.concat(
      [3, 4].map((offset) => encodeLegacyMessage({ offset, magic: 1, key: null, value: b('v') })),
    );
    expect(readFully(wrapRaw(1, 10, CompressionCodec.Gzip, inner)).records().map((r) => r.offset)).toEqual([9, 10]);
  });

  it('magic 0: inner offsets are taken as they are', () => {
    const inner = Buffer.concat(
      [10, 12, 13].map((offset) => encodeLegacyMessage({ offset, magic: 0, key: null, value: b(`v${offset}`) })),
    );
    const batch = readFully(wrapRaw(0, 13, CompressionCodec.Snappy, inner));
    expect(batch.baseOffset).toBe(10);
    expect(batch.lastOffset).toBe(13);
    expect(batch.records().map((r) => r.offset)).toEqual([10, 12, 13]);
  });

  it('the writer numbers magic 1 inner messages 0..n-1 and magic 0 ones absolutely', async () => {
    // Decompress the writer's payload directly, so this does not rely on the reader being right.
    const { decompress } = await import('../compression/compression');
    for (const magic of [0, 1] as const) {
      const wrapper = encodeLegacyCompressedWrapper({
        magic,
        wrapperOffset: 20,
        codec: CompressionCodec.Gzip,
        records: [0, 1, 2].map(() => ({ key: null, value: b('v') })),
      });
      // null key, so the value's bytes start right after the two length fields
      const valueDataAt = magic === 1 ? 34 : 26;
      const inner = decompress(CompressionCodec.Gzip, wrapper.subarray(valueDataAt), { file: FILE, position: 0 });
      const size = 12 + (magic === 1 ? 22 : 14) + 1;
      const offsets = [0, 1, 2].map((i) => Number(inner.readBigInt64BE(i * size)));
      expect(offsets).toEqual(magic === 1 ? [0, 1, 2] : [18, 19, 20]);
    }
  });
});

describe('KAFKA-3160 LZ4 header checksums', () => {
  const records = [{ key: b('k'), value: b('v') }];
  // The frame header compress() writes is 04 22 4D 18 60 40 82; 0x82 is XXH32 of "60 40" (>> 8),
  // 0x1A that of the whole "04 22 4D 18 60 40", which is what Kafka wrote for magic 0.
  const valueDataAt = { 0: 26, 1: 34 } as const;

  it('the writer gives magic 0 LZ4 frames the checksum Kafka wrote, and the reader accepts it', () => {
    const wrapper = encodeLegacyCompressedWrapper({ magic: 0, wrapperOffset: 0, codec: CompressionCodec.Lz4, records });
    expect(wrapper.subarray(valueDataAt[0], valueDataAt[0] + 7)).toEqual(hex('04224d18 6040 1a'));
    expect(readFully(wrapper).records()).toMatchObject([{ offset: 0, key: b('k'), value: b('v') }]);
  });

  it('magic 1 LZ4 frames carry the standard checksum, and the broken one is refused there', () => {
    const wrapper = encodeLegacyCompressedWrapper({ magic: 1, wrapperOffset: 0, codec: CompressionCodec.Lz4, records });
    expect(wrapper.subarray(valueDataAt[1], valueDataAt[1] + 7)).toEqual(hex('04224d18 6040 82'));
    const payload = compress(CompressionCodec.Lz4, encodeLegacyMessage({ offset: 0, magic: 1, key: null, value: b('v') }));
    payload[6] = 0x1a;
    const broken = encodeLegacyMessage({ offset: 0, magic: 1, key: null, value: payload, codec: CompressionCodec.Lz4 });
    const error = formatError(() => readFully(broken));
    expect(error.position).toBe(AT + valueDataAt[1]);
    expect(error.reason).toMatch(/^lz4 payload does not decompress: .*KAFKA-3160/);
  });
});

describe('property-based round trips', () => {
  const bytes = fc.option(fc.uint8Array({ maxLength: 64 }), { nil: null });
  const timestamp = fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 2 ** 45 }));
  const offset = fc.integer({ min: 0, max: 2 ** 50 });
  const asBuffer = (data: Uint8Array | null): Buffer | null => (data === null ? null : Buffer.from(data));

  it('uncompressed messages', () => {
    fc.assert(
      fc.property(
        offset,
        fc.constantFrom(0 as const, 1 as const),
        timestamp,
        fc.constantFrom<LegacyTimestampType>('CreateTime', 'LogAppendTime'),
        bytes,
        bytes,
        (off, magic, ts, type, key, value) => {
          const entry = encodeLegacyMessage({
            offset: off,
            magic,
            ...(magic === 1 ? { timestamp: ts, timestampType: type } : {}),
            key,
            value,
          });
          const batch = readFully(entry);
          expect(batch.sizeInBytes).toBe(entry.length);
          expect(batch.records()).toEqual([
            {
              offset: off,
              timestamp: magic === 1 ? ts : -1,
              timestampType: magic === 1 ? type : 'NoTimestampType',
              key: asBuffer(key),
              value: asBuffer(value),
              headers: [],
            },
          ]);
        },
      ),
    );
  });

  it('compressed wrappers', () => {
    fc.assert(
      fc.property(
        offset,
        fc.constantFrom(0 as const, 1 as const),
        fc.constantFrom(...COMPRESSED),
        fc.constantFrom<LegacyTimestampType>('CreateTime', 'LogAppendTime'),
        timestamp,
        fc.array(fc.record({ key: bytes, value: bytes, timestamp }), { minLength: 1, maxLength: 8 }),
        (last, magic, codec, type, wrapperTs, records) => {
          const wrapperOffset = last + records.length;
          const entry = encodeLegacyCompressedWrapper({
            magic,
            wrapperOffset,
            codec,
            records: magic === 1 ? records : records.map(({ key, value }) => ({ key, value })),
            ...(magic === 1 ? { timestampType: type, wrapperTimestamp: wrapperTs } : {}),
          });
          const batch = readFully(entry);
          const first = wrapperOffset - records.length + 1;
          expect(batch.baseOffset).toBe(first);
          expect(batch.lastOffset).toBe(wrapperOffset);
          expect(batch.recordCount).toBe(records.length);
          expect(batch.records()).toEqual(
            records.map((r, i) => ({
              offset: first + i,
              timestamp: magic === 0 ? -1 : type === 'LogAppendTime' ? wrapperTs : r.timestamp,
              timestampType: magic === 0 ? 'NoTimestampType' : type,
              key: asBuffer(r.key),
              value: asBuffer(r.value),
              headers: [],
            })),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('corrupt entries', () => {
  const v0 = encodeLegacyMessage({ offset: 3, magic: 0, key: b('key'), value: b('value') });
  const v1 = encodeLegacyMessage({ offset: 3, magic: 1, timestamp: 99, key: b('key'), value: b('value') });
  const keyLengthAt = { 0: 18, 1: 26 } as const;
  const entries = [
    [0, v0],
    [1, v1],
  ] as const;

  it('a flipped bit fails verifyChecksum, naming the crc field and both values', () => {
    const bytes = Buffer.from(v1);
    bytes[bytes.length - 1]! ^= 0x04;
    const batch = readLegacyMessage(bytes, AT, FILE);
    const error = formatError(() => batch.verifyChecksum());
    const stored = v1.readUInt32BE(12).toString(16).padStart(8, '0');
    expect(error.position).toBe(AT + 12);
    expect(error.message).toMatch(new RegExp(`^${FILE} at byte ${AT + 12}: CRC-32 mismatch: stored 0x${stored}, computed 0x[0-9a-f]{8}$`));
    expect(error.message).not.toContain(`computed 0x${stored}`);
  });

  it('any flipped bit in any entry is caught, as a LogFormatError', () => {
    const wrapper = encodeLegacyCompressedWrapper({
      magic: 1,
      wrapperOffset: 10,
      codec: CompressionCodec.Gzip,
      records: [{ key: b('a'), value: b('b'), timestamp: 5 }],
    });
    for (const entry of [v0, v1, wrapper]) {
      for (let bit = 0; bit < entry.length * 8; bit++) {
        if (bit < 12 * 8) continue; // offset and messageSize are not covered by the CRC
        const bytes = Buffer.from(entry);
        bytes[bit >> 3]! ^= 1 << (bit & 7);
        const error = formatError(() => readFully(bytes));
        expect(error.file).toBe(FILE);
        expect(error.position).toBeGreaterThanOrEqual(AT);
        expect(error.position).toBeLessThan(AT + entry.length);
      }
    }
  });

  it.each(entries)('magic %i: a truncated entry names the messageSize field, or the entry when even that is cut', (_magic, entry) => {
    for (let length = 0; length < entry.length; length++) {
      const error = formatError(() => readLegacyMessage(entry.subarray(0, length), AT, FILE));
      if (length < 12) {
        expect(error.position).toBe(AT);
        expect(error.reason).toBe(`truncated entry: ${length} bytes, but the offset and messageSize fields alone need 12`);
      } else {
        expect(error.position).toBe(AT + 8);
        expect(error.reason).toBe(`truncated entry: messageSize ${entry.length - 12} but only ${length - 12} bytes follow`);
      }
    }
  });

  it.each(entries)('magic %i: a key length past the end names the key length field', (magic, entry) => {
    const bytes = Buffer.from(entry);
    bytes.writeInt32BE(1000, keyLengthAt[magic]);
    const error = formatError(() => readLegacyMessage(bytes, AT, FILE));
    expect(error.position).toBe(AT + keyLengthAt[magic]);
    expect(error.reason).toBe(`key length 1000 runs past the end of the message (${entry.length - keyLengthAt[magic] - 4} bytes left)`);
  });

  it.each(entries)('magic %i: a negative key length other than -1 names the key length field', (magic, entry) => {
    const bytes = Buffer.from(entry);
    bytes.writeInt32BE(-2, keyLengthAt[magic]);
    const error = formatError(() => readLegacyMessage(bytes, AT, FILE));
    expect(error.position).toBe(AT + keyLengthAt[magic]);
    expect(error.reason).toBe('key length -2 is negative (only -1, for null, is allowed)');
  });

  it.each(entries)('magic %i: a value length past the end names the value length field', (magic, entry) => {
    const bytes = Buffer.from(entry);
    const valueLengthAt = keyLengthAt[magic] + 4 + 3;
    bytes.writeInt32BE(6, valueLengthAt);
    const error = formatError(() => readLegacyMessage(bytes, AT, FILE));
    expect(error.position).toBe(AT + valueLengthAt);
    expect(error.reason).toBe('value length 6 runs past the end of the message (5 bytes left)');
  });

  it.each(entries)('magic %i: bytes left over after the value are refused', (_magic, entry) => {
    const bytes = Buffer.concat([entry, Buffer.from([0, 0])]);
    bytes.writeInt32BE(entry.length - 12 + 2, 8);
    const error = formatError(() => readLegacyMessage(bytes, AT, FILE));
    expect(error.position).toBe(AT + entry.length);
    expect(error.reason).toBe('2 unexpected bytes after the value, before the end of the message');
  });

  it('messageSize below the minimum for magic 0 (14) names the messageSize field', () => {
    const bytes = Buffer.from(encodeLegacyMessage({ offset: 0, magic: 0, key: null, value: null }));
    bytes.writeInt32BE(13, 8);
    const error = formatError(() => readLegacyMessage(bytes, AT, FILE));
    expect(error.position).toBe(AT + 8);
    expect(error.reason).toBe('messageSize 13 is below the minimum 14');
  });

  it('messageSize below the minimum for magic 1 (22) names the messageSize field', () => {
    const bytes = Buffer.from(encodeLegacyMessage({ offset: 0, magic: 1, key: null, value: null }));
    bytes.writeInt32BE(21, 8);
    const error = formatError(() => readLegacyMessage(bytes, AT, FILE));
    expect(error.position).toBe(AT + 8);
    expect(error.reason).toBe('messageSize 21 is below the minimum 22 for magic 1');
  });

  it('a negative messageSize names the messageSize field', () => {
    const bytes = Buffer.from(v0);
    bytes.writeInt32BE(-1, 8);
    expect(formatError(() => readLegacyMessage(bytes, AT, FILE)).position).toBe(AT + 8);
  });

  it('magic 3 names the magic byte', () => {
    const bytes = Buffer.from(v1);
    bytes[16] = 3;
    const error = formatError(() => readLegacyMessage(bytes, AT, FILE));
    expect(error.message).toBe(`${FILE} at byte ${AT + 16}: magic 3 is not a legacy message format (0 or 1)`);
  });

  it('an unknown codec names the attributes byte', () => {
    const bytes = Buffer.from(v0);
    bytes[17] = 0x0d;
    const error = formatError(() => readLegacyMessage(bytes, AT, FILE));
    expect(error.position).toBe(AT + 17);
    expect(error.reason).toBe('unknown compression codec 5 in attributes 0x0d');
  });

  it('a negative offset names the offset field', () => {
    const bytes = Buffer.from(v0);
    bytes.fill(0xff, 0, 8);
    const error = formatError(() => readLegacyMessage(bytes, AT, FILE));
    expect(error.position).toBe(AT);
  });

  it('a wrapper with a null value names its value length field', () => {
    const bytes = encodeLegacyMessage({ offset: 0, magic: 1, key: null, value: null, codec: CompressionCodec.Gzip });
    const error = formatError(() => readLegacyMessage(bytes, AT, FILE));
    expect(error.position).toBe(AT + 30);
    expect(error.reason).toBe('a gzip wrapper message must have a value, but it is null');
  });

  it('a payload that does not decompress is a LogFormatError, not a crash', () => {
    const bytes = encodeLegacyMessage({ offset: 0, magic: 0, key: null, value: b('not gzip at all'), codec: CompressionCodec.Gzip });
    const batch = readLegacyMessage(bytes, AT, FILE);
    batch.verifyChecksum();
    formatError(() => batch.records());
    formatError(() => batch.recordCount);
    formatError(() => batch.baseOffset);
  });
});

describe('corrupt inner sets', () => {
  const inner = (offset: number, magic: 0 | 1 = 1, codec?: CompressionCodec): Buffer =>
    encodeLegacyMessage({ offset, magic, ...(magic === 1 ? { timestamp: 1 } : {}), key: null, value: b('v'), ...(codec ? { codec } : {}) });

  it('nested compression', () => {
    const set = Buffer.concat([inner(0), inner(1, 1, CompressionCodec.Snappy)]);
    const error = formatError(() => readFully(wrapRaw(1, 1, CompressionCodec.Gzip, set)));
    expect(error.position).toBe(AT);
    expect(error.reason).toBe(
      `inside the gzip payload at inner byte ${inner(0).length + 17}: inner message is itself compressed (snappy), which Kafka never writes`,
    );
  });

  it.each([
    ['repeated', [0, 1, 1]],
    ['decreasing', [0, 2, 1]],
  ])('inner offsets %s', (_what, offsets) => {
    const set = Buffer.concat(offsets.map((o) => inner(o)));
    const error = formatError(() => readFully(wrapRaw(1, 5, CompressionCodec.Lz4, set)));
    expect(error.position).toBe(AT);
    expect(error.reason).toBe(
      `inside the lz4 payload at inner byte ${2 * inner(0).length}: inner offset ${offsets[2]} does not follow the previous inner offset ${offsets[1]}`,
    );
  });

  it('inner magic differing from the wrapper', () => {
    const set = Buffer.concat([inner(0, 0)]);
    const error = formatError(() => readFully(wrapRaw(1, 0, CompressionCodec.Zstd, set)));
    expect(error.reason).toBe('inside the zstd payload at inner byte 16: inner message has magic 0 but its wrapper has magic 1');
  });

  it('a truncated last inner message', () => {
    const whole = Buffer.concat([inner(0), inner(1)]);
    const error = formatError(() => readFully(wrapRaw(1, 1, CompressionCodec.Gzip, whole.subarray(0, whole.length - 1))));
    expect(error.position).toBe(AT);
    expect(error.reason).toBe(
      `inside the gzip payload at inner byte ${inner(0).length + 8}: truncated entry: messageSize 23 but only 22 bytes follow`,
    );
  });

  it('an empty inner set', () => {
    const error = formatError(() => readFully(wrapRaw(0, 0, CompressionCodec.Gzip, Buffer.alloc(0))));
    expect(error.position).toBe(AT);
    expect(error.reason).toBe('the gzip payload holds no messages');
  });

  it('a magic 1 wrapper offset smaller than the last relative offset', () => {
    const set = Buffer.concat([inner(0), inner(7)]);
    const error = formatError(() => readFully(wrapRaw(1, 3, CompressionCodec.Gzip, set)));
    expect(error.position).toBe(AT);
    expect(error.reason).toBe('wrapper offset 3 is smaller than the last inner relative offset 7');
  });

  it('fuzzed payloads only ever fail with LogFormatError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0 as const, 1 as const),
        fc.constantFrom(...COMPRESSED),
        fc.array(fc.record({ key: fc.uint8Array({ maxLength: 8 }), value: fc.uint8Array({ maxLength: 8 }) }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
        (magic, codec, records, flips) => {
          const set = Buffer.concat(records.map((r, i) => encodeLegacyMessage({ offset: i, magic, key: r.key, value: r.value })));
          for (const [at, mask] of flips) set[at % set.length]! ^= mask;
          try {
            readFully(wrapRaw(magic, records.length - 1, codec, set));
          } catch (error) {
            expect(error).toBeInstanceOf(LogFormatError);
            expect((error as LogFormatError).position).toBe(AT);
          }
        },
      ),
    );
  });
});

describe('writer argument checks', () => {
  it('refuses timestamps for magic 0 and empty wrappers', () => {
    expect(() => encodeLegacyMessage({ offset: 0, magic: 0, timestamp: 5, key: null, value: null })).toThrow(RangeError);
    expect(() =>
      encodeLegacyMessage({ offset: 0, magic: 0, timestampType: 'LogAppendTime', key: null, value: null }),
    ).toThrow(RangeError);
    expect(() =>
      encodeLegacyCompressedWrapper({ magic: 1, wrapperOffset: 0, codec: CompressionCodec.Gzip, records: [] }),
    ).toThrow(RangeError);
    expect(() =>
      encodeLegacyCompressedWrapper({
        magic: 1,
        wrapperOffset: 0,
        codec: CompressionCodec.Gzip,
        records: [
          { key: null, value: null },
          { key: null, value: null },
        ],
      }),
    ).toThrow(RangeError);
  });
});
