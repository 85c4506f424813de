import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompressionCodec } from '../compression/compression-codec';
import { compress } from '../compression/compression';
import { LogFormatError } from '../errors';
import { fixturePath, formatError } from '../log-fixtures.test-support';
import { encodeControlKey, encodeEndTransactionValue } from './control-record';
import { encodeRecordBatch, writeBatchCrc } from './record-batch-encoder';
import { RecordBatchV2 } from './record-batch';

const FILE = 'partition-0/00000000000000000000.log';
/** Not zero, so a position reported relative to the batch instead of the file shows up. */
const AT = 8192;

function workedExample(): Buffer {
  return Buffer.from(readFileSync(fixturePath('kafka-0.11/test0-0/00000000000000000000.log')).subarray(0, 69));
}

function threeRecords(): Buffer {
  return encodeRecordBatch({
    baseOffset: 500,
    partitionLeaderEpoch: 3,
    producerId: 1234,
    producerEpoch: 2,
    baseSequence: 77,
    records: ['alpha', 'beta', 'gamma'].map((v, i) => ({
      key: Buffer.from(`k${i}`),
      value: Buffer.from(v),
      headers: [{ key: 'h', value: i === 1 ? null : Buffer.from([i]) }],
      timestamp: 1_700_000_000_000 + i * 10,
    })),
  });
}

describe('the worked example of kafka-format.md section 2.3', () => {
  it('reads every header field and the record of kafka-0.11/test0-0 batch 0', () => {
    const batch = new RecordBatchV2(workedExample(), 0, FILE);
    expect({
      baseOffset: batch.baseOffset,
      lastOffset: batch.lastOffset,
      sizeInBytes: batch.sizeInBytes,
      partitionLeaderEpoch: batch.partitionLeaderEpoch,
      magic: batch.magic,
      storedCrc: batch.storedCrc,
      attributes: batch.attributes,
      baseTimestamp: batch.baseTimestamp,
      maxTimestamp: batch.maxTimestamp,
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      baseSequence: batch.baseSequence,
      recordCount: batch.recordCount,
      compression: batch.compression,
      timestampType: batch.timestampType,
      isTransactional: batch.isTransactional,
      isControl: batch.isControl,
      hasDeleteHorizon: batch.hasDeleteHorizon,
    }).toEqual({
      baseOffset: 0,
      lastOffset: 0,
      sizeInBytes: 69,
      partitionLeaderEpoch: 0,
      magic: 2,
      storedCrc: 0xd04616af,
      attributes: 0,
      baseTimestamp: 1_600_054_563_906,
      maxTimestamp: 1_600_054_563_906,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      recordCount: 1,
      compression: CompressionCodec.None,
      timestampType: 'CreateTime',
      isTransactional: false,
      isControl: false,
      hasDeleteHorizon: false,
    });
    expect(batch.computeCrc()).toBe(0xd04616af);
    batch.verifyChecksum();
    const records = batch.records();
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record!.offset).toBe(0);
    expect(record!.timestamp).toBe(1_600_054_563_906);
    expect(record!.timestampType).toBe('CreateTime');
    expect(record!.key).toBeNull();
    expect(record!.value).toEqual(Buffer.from('1'));
    expect(record!.headers).toEqual([]);
  });
});

describe('checksums', () => {
  it('a flipped bit anywhere in the CRC-covered bytes is a LogFormatError at the CRC field', () => {
    const original = threeRecords();
    fc.assert(
      fc.property(fc.integer({ min: 21, max: original.length - 1 }), fc.integer({ min: 0, max: 7 }), (byte, bit) => {
        const bytes = Buffer.from(original);
        bytes[byte]! ^= 1 << bit;
        const countFields = (byte >= 23 && byte < 27) || (byte >= 57 && byte < 61);
        let batch: RecordBatchV2;
        try {
          batch = new RecordBatchV2(bytes, AT, FILE);
        } catch (error) {
          // A flip in lastOffsetDelta or the record count may be caught before the CRC is checked.
          expect(countFields, `constructor threw for a flip at byte ${byte}`).toBe(true);
          expect(error).toBeInstanceOf(LogFormatError);
          expect((error as LogFormatError).file).toBe(FILE);
          return;
        }
        const error = formatError(() => batch.verifyChecksum());
        expect(error.file).toBe(FILE);
        expect(error.position).toBe(AT + 17);
        expect(error.message).toContain(`${FILE} at byte ${AT + 17}`);
        expect(error.reason).toMatch(/CRC-32C mismatch/);
      }),
      { numRuns: 500 },
    );
  });

  it('every single-bit flip of the worked example is detected', () => {
    const original = workedExample();
    for (let byte = 21; byte < original.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const bytes = Buffer.from(original);
        bytes[byte]! ^= 1 << bit;
        const error = formatError(() => new RecordBatchV2(bytes, AT, FILE).verifyChecksum());
        if (byte >= 27 && byte < 57) expect(error.position).toBe(AT + 17);
      }
    }
  });

  it('flipping a bit of baseOffset or partitionLeaderEpoch does not break the CRC', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }).filter((b) => b < 8 || b >= 12), fc.integer({ min: 0, max: 7 }), (byte, bit) => {
        const bytes = threeRecords();
        bytes[byte]! ^= 1 << bit;
        const batch = new RecordBatchV2(bytes, AT, FILE);
        batch.verifyChecksum();
        if (byte >= 12) expect(batch.partitionLeaderEpoch).not.toBe(3);
      }),
    );
  });

  it('a flipped bit in the stored CRC itself is reported at the CRC field', () => {
    const bytes = workedExample();
    bytes[19]! ^= 0x10;
    const error = formatError(() => new RecordBatchV2(bytes, AT, FILE).verifyChecksum());
    expect(error.position).toBe(AT + 17);
  });
});

describe('header validation', () => {
  it('refuses fewer bytes than a v2 header', () => {
    const error = formatError(() => new RecordBatchV2(workedExample().subarray(0, 60), AT, FILE));
    expect(error.position).toBe(AT);
  });

  it('refuses bytes that disagree with the batch length field', () => {
    const bytes = Buffer.concat([workedExample(), Buffer.alloc(1)]);
    expect(formatError(() => new RecordBatchV2(bytes, AT, FILE)).position).toBe(AT + 8);
  });

  it('refuses a magic byte other than 2', () => {
    const bytes = workedExample();
    bytes[16] = 1;
    const error = formatError(() => new RecordBatchV2(bytes, AT, FILE));
    expect(error.position).toBe(AT + 16);
    expect(error.reason).toMatch(/magic byte is 1/);
  });

  it('a record count above lastOffsetDelta + 1 is an error at the count field', () => {
    const bytes = workedExample();
    bytes.writeInt32BE(2, 57);
    writeBatchCrc(bytes);
    const error = formatError(() => new RecordBatchV2(bytes, AT, FILE));
    expect(error.position).toBe(AT + 57);
    expect(error.reason).toMatch(/record count 2/);
  });

  it('a negative record count or lastOffsetDelta is an error', () => {
    const negativeCount = workedExample();
    negativeCount.writeInt32BE(-1, 57);
    expect(formatError(() => new RecordBatchV2(negativeCount, AT, FILE)).position).toBe(AT + 57);
    const negativeDelta = workedExample();
    negativeDelta.writeInt32BE(-1, 23);
    expect(formatError(() => new RecordBatchV2(negativeDelta, AT, FILE)).position).toBe(AT + 23);
  });

  it('a record count below lastOffsetDelta + 1 is fine (compaction removed records, not offsets)', () => {
    const bytes = encodeRecordBatch({
      baseOffset: 1000,
      records: [
        { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 5, offsetDelta: 2 },
        { key: Buffer.from('b'), value: Buffer.from('2'), timestamp: 6, offsetDelta: 7 },
      ],
      lastOffsetDelta: 9,
    });
    const batch = new RecordBatchV2(bytes, AT, FILE);
    batch.verifyChecksum();
    expect([batch.baseOffset, batch.lastOffset, batch.recordCount]).toEqual([1000, 1009, 2]);
    expect(batch.records().map((r) => r.offset)).toEqual([1002, 1007]);
  });
});

/** The worked example's record sits at bytes 61-68: 0e 00 00 00 01 02 31 00. */
function exampleWithRecord(recordHex: string): Buffer {
  const head = workedExample().subarray(0, 61);
  const bytes = Buffer.concat([head, Buffer.from(recordHex, 'hex')]);
  bytes.writeInt32BE(bytes.length - 12, 8);
  writeBatchCrc(bytes);
  return bytes;
}

describe('record framing', () => {
  it('the hand-assembled example record reads back (sanity check of the helper)', () => {
    const [record] = new RecordBatchV2(exampleWithRecord('0e000000010231' + '00'), AT, FILE).records();
    expect(record!.value!.toString()).toBe('1');
  });

  it('a record length past the end of the batch is an error at the record', () => {
    const batch = new RecordBatchV2(exampleWithRecord('7e000000010231' + '00'), AT, FILE);
    batch.verifyChecksum();
    const error = formatError(() => batch.records());
    expect(error.file).toBe(FILE);
    expect(error.position).toBe(AT + 61);
    expect(error.reason).toMatch(/record 0 declares 63 bytes/);
  });

  it('a negative record length is an error at the record', () => {
    expect(formatError(() => new RecordBatchV2(exampleWithRecord('01000000010231' + '00'), AT, FILE).records()).position).toBe(AT + 61);
  });

  it('a record whose fields take fewer bytes than its length is an error at the record', () => {
    // length 8 but the fields take 7: the extra byte is inside the record
    const error = formatError(() => new RecordBatchV2(exampleWithRecord('10000000010231' + '00' + '00'), AT, FILE).records());
    expect(error.position).toBe(AT + 61);
    expect(error.reason).toMatch(/declares 8 bytes but its fields take 7/);
  });

  it('bytes left over after the declared records are an error where they start', () => {
    const error = formatError(() => new RecordBatchV2(exampleWithRecord('0e000000010231' + '00' + 'abcd'), AT, FILE).records());
    expect(error.position).toBe(AT + 69);
    expect(error.reason).toMatch(/2 bytes left over/);
  });

  it('an impossible key length (-2) is an error inside the record', () => {
    const error = formatError(() => new RecordBatchV2(exampleWithRecord('0e000000030231' + '00'), AT, FILE).records());
    expect(error.position).toBeGreaterThanOrEqual(AT + 61);
    expect(error.position).toBeLessThan(AT + 69);
    expect(error.reason).toMatch(/impossible key length -2/);
  });

  it('a key longer than its record is an error inside the record', () => {
    const error = formatError(() => new RecordBatchV2(exampleWithRecord('0e000000200231' + '00'), AT, FILE).records());
    expect(error.position).toBeGreaterThanOrEqual(AT + 61);
    expect(error.position).toBeLessThan(AT + 69);
    expect(error.reason).toMatch(/key of 16 bytes runs past the end of the record/);
  });

  it('a varint cut off by the record end is an error inside the record', () => {
    // length 5 ends the record inside the value length varint (which claims continuation)
    const error = formatError(() => new RecordBatchV2(exampleWithRecord('0a0000000182' + '00'), AT, FILE).records());
    expect(error.position).toBeGreaterThanOrEqual(AT + 61);
    expect(error.position).toBeLessThan(AT + 68);
  });

  it('a negative header count and a null header key are errors', () => {
    // record: attrs, ts, offset, key -1, value -1, header count -1
    expect(formatError(() => new RecordBatchV2(exampleWithRecord('0c' + '0000000101' + '01'), AT, FILE).records()).reason).toMatch(/negative header count/);
    // one header whose key length is -1
    expect(formatError(() => new RecordBatchV2(exampleWithRecord('10' + '0000000101' + '02' + '01' + '01'), AT, FILE).records()).reason).toMatch(/null key/);
  });

  it('a record offset beyond lastOffsetDelta, or not increasing, is an error', () => {
    // offsetDelta 1 in a batch whose lastOffsetDelta is 0
    const beyond = formatError(() => new RecordBatchV2(exampleWithRecord('0e000002010231' + '00'), AT, FILE).records());
    expect(beyond.position).toBe(AT + 61);
    expect(beyond.reason).toMatch(/offset 1, outside/);
    const twice = encodeRecordBatch({
      baseOffset: 0,
      records: [
        { key: null, value: null, timestamp: 1, offsetDelta: 1 },
        { key: null, value: null, timestamp: 1, offsetDelta: 1 },
      ],
    });
    const error = formatError(() => new RecordBatchV2(twice, AT, FILE).records());
    expect(error.position).toBeGreaterThan(AT + 61);
    expect(error.reason).toMatch(/record 1 has offset 1/);
  });

  it('fewer records than the count says is an error, not a short list', () => {
    const bytes = threeRecords();
    bytes.writeInt32BE(4, 57);
    bytes.writeInt32BE(3, 23);
    writeBatchCrc(bytes);
    const batch = new RecordBatchV2(bytes, AT, FILE);
    expect(formatError(() => batch.records()).position).toBe(AT + bytes.length);
  });

  it('framing errors inside a compressed payload name the batch and the byte inside the payload', () => {
    const plain = Buffer.from('0e000000200231' + '00', 'hex');
    const head = workedExample().subarray(0, 61);
    const bytes = Buffer.concat([head, compress(CompressionCodec.Gzip, plain)]);
    bytes.writeInt32BE(bytes.length - 12, 8);
    bytes.writeInt16BE(CompressionCodec.Gzip, 21);
    writeBatchCrc(bytes);
    const batch = new RecordBatchV2(bytes, AT, FILE);
    batch.verifyChecksum();
    const error = formatError(() => batch.records());
    expect(error.file).toBe(FILE);
    expect(error.position).toBe(AT);
    expect(error.reason).toMatch(/inside the gzip payload at byte \d/);
  });

  it('a payload that does not decompress is a LogFormatError', () => {
    const bytes = exampleWithRecord('0e000000010231' + '00');
    bytes.writeInt16BE(CompressionCodec.Lz4, 21);
    writeBatchCrc(bytes);
    const error = formatError(() => new RecordBatchV2(bytes, AT, FILE).records());
    expect(error.file).toBe(FILE);
    expect(error.reason).toMatch(/lz4/);
  });

  it.each([5, 6, 7])('unknown codec %i is a LogFormatError at the attributes', (codec) => {
    const bytes = threeRecords();
    bytes.writeInt16BE(codec, 21);
    writeBatchCrc(bytes);
    const batch = new RecordBatchV2(bytes, AT, FILE);
    batch.verifyChecksum();
    const error = formatError(() => batch.records());
    expect(error.position).toBe(AT + 21);
    expect(error.reason).toContain(`unknown compression codec ${codec}`);
  });

  it('keeps empty keys and values apart from null ones', () => {
    const bytes = encodeRecordBatch({
      baseOffset: 0,
      records: [
        { key: Buffer.alloc(0), value: null, timestamp: 1, headers: [{ key: '', value: Buffer.alloc(0) }] },
        { key: null, value: Buffer.alloc(0), timestamp: 2, headers: [{ key: 'ключ', value: null }] },
      ],
    });
    const [a, b] = new RecordBatchV2(bytes, 0, FILE).records();
    expect(a!.key).toEqual(Buffer.alloc(0));
    expect(a!.value).toBeNull();
    expect(a!.headers).toEqual([{ key: '', value: Buffer.alloc(0) }]);
    expect(b!.key).toBeNull();
    expect(b!.value).toEqual(Buffer.alloc(0));
    expect(b!.headers).toEqual([{ key: 'ключ', value: null }]);
  });
});

describe('timestamps', () => {
  it('LogAppendTime batches give every record the batch maxTimestamp', () => {
    const bytes = encodeRecordBatch({
      baseOffset: 0,
      timestampType: 'LogAppendTime',
      logAppendTime: 1_700_000_999_000,
      records: [1, 2, 3].map((i) => ({ key: null, value: Buffer.from([i]), timestamp: 1_600_000_000_000 + i })),
    });
    const batch = new RecordBatchV2(bytes, 0, FILE);
    expect(batch.attributes).toBe(0x08);
    expect(batch.records().map((r) => [r.timestamp, r.timestampType])).toEqual([
      [1_700_000_999_000, 'LogAppendTime'],
      [1_700_000_999_000, 'LogAppendTime'],
      [1_700_000_999_000, 'LogAppendTime'],
    ]);
  });

  it('CreateTime records add their delta to the base timestamp, including negative deltas', () => {
    const times = [1_700_000_000_500, 1_700_000_000_000, 1_700_000_001_000, -1];
    const bytes = encodeRecordBatch({ baseOffset: 0, records: times.map((timestamp) => ({ key: null, value: null, timestamp })) });
    const batch = new RecordBatchV2(bytes, 0, FILE);
    expect(batch.baseTimestamp).toBe(1_700_000_000_500);
    expect(batch.maxTimestamp).toBe(1_700_000_001_000);
    expect(batch.records().map((r) => r.timestamp)).toEqual(times);
  });
});

describe('control batches', () => {
  function controlBatch(keyHex: string | null): RecordBatchV2 {
    const bytes = encodeRecordBatch({
      baseOffset: 7,
      isControl: true,
      isTransactional: true,
      producerId: 9,
      producerEpoch: 0,
      records: [{ key: keyHex === null ? null : Buffer.from(keyHex, 'hex'), value: encodeEndTransactionValue(0), timestamp: 1 }],
    });
    return new RecordBatchV2(bytes, AT, FILE);
  }

  it('reads COMMIT and ABORT made by encodeControlKey', () => {
    expect(controlBatch(encodeControlKey('COMMIT').toString('hex')).controlType()).toBe('COMMIT');
    expect(controlBatch(encodeControlKey('ABORT').toString('hex')).controlType()).toBe('ABORT');
  });

  it('reads the KRaft control types and tolerates unknown ones', () => {
    expect(controlBatch('00000003').controlType()).toBe('SNAPSHOT_HEADER');
    expect(controlBatch('00000004').controlType()).toBe('SNAPSHOT_FOOTER');
    expect(controlBatch('00000002').controlType()).toBe('LEADER_CHANGE');
    expect(controlBatch('00000009').controlType()).toBe('UNKNOWN(9)');
  });

  it('a negative key version, a short key or a null key is a LogFormatError naming the batch', () => {
    for (const key of ['ffff0001', '0000', null]) {
      const error = formatError(() => controlBatch(key).controlType());
      expect(error.file).toBe(FILE);
      expect(error.position).toBe(AT);
    }
  });

  it('reads the control batches of bootstrap.checkpoint and a KRaft snapshot', () => {
    for (const file of ['kafka-3.7-kraft/bootstrap.checkpoint', 'kafka-3.7-kraft/__cluster_metadata-0/00000000000001734780-0000000001.checkpoint']) {
      const bytes = readFileSync(fixturePath(file));
      const types: string[] = [];
      for (let pos = 0; pos < bytes.length; ) {
        const size = bytes.readInt32BE(pos + 8) + 12;
        const batch = new RecordBatchV2(bytes.subarray(pos, pos + size), pos, file);
        batch.verifyChecksum();
        types.push(batch.isControl ? batch.controlType() : `data x${batch.records().length}`);
        pos += size;
      }
      expect(types[0]).toBe('SNAPSHOT_HEADER');
      expect(types[types.length - 1]).toBe('SNAPSHOT_FOOTER');
      expect(types.slice(1, -1).every((t) => t.startsWith('data'))).toBe(true);
    }
  });
});
