import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatError } from '../log-fixtures.test-support';
import { encodeRecordBatch } from './record-batch-encoder';
import { type RecordContext, decodeRecords } from './record-decoder';

const context = (overrides: Partial<RecordContext> = {}): RecordContext => ({
  baseOffset: 100,
  lastOffset: 100,
  baseTimestamp: 1000,
  maxTimestamp: 5000,
  timestampType: 'CreateTime',
  recordCount: 1,
  ...overrides,
});

/** Locates payload byte b at file byte 7000 + b, inside "payload.bin". */
const locate = (byte: number) => ({ file: 'payload.bin', position: 7000 + byte });

describe('decodeRecords', () => {
  it('decodes a hand-assembled payload with a key, a value and two headers', () => {
    // attrs 0 · ts delta +5 (0a) · offset delta 0 · key "k" · value "vv" · 2 headers: "a"->"x", "b"->null
    const body = '00' + '0a' + '00' + '02' + '6b' + '04' + '7676' + '04' + '02' + '61' + '02' + '78' + '02' + '62' + '01';
    const zigzagLength = (body.length / 2) * 2; // the body's byte count, zigzag-encoded in one byte
    const payload = Buffer.from(zigzagLength.toString(16).padStart(2, '0') + body, 'hex');
    const [record] = decodeRecords(payload, context(), locate);
    expect(record!.offset).toBe(100);
    expect(record!.timestamp).toBe(1005);
    expect(record!.key!.toString()).toBe('k');
    expect(record!.value!.toString()).toBe('vv');
    expect(record!.headers).toEqual([
      { key: 'a', value: Buffer.from('x') },
      { key: 'b', value: null },
    ]);
  });

  it('reports framing errors through the locator, at payload byte positions', () => {
    // The record declares 20 bytes, 1 follows.
    const error = formatError(() => decodeRecords(Buffer.from('2800', 'hex'), context(), locate));
    expect(error.file).toBe('payload.bin');
    expect(error.position).toBe(7000);
    expect(error.reason).toMatch(/batch at offset 100/);
  });

  it('says "inside the ... payload" when the locator gives an inner location', () => {
    const error = formatError(() => decodeRecords(Buffer.from('2800', 'hex'), context(), (byte) => ({ file: 'f.log', position: 64, inside: `zstd payload at byte ${byte}` })));
    expect(error.position).toBe(64);
    expect(error.reason).toMatch(/^inside the zstd payload at byte 0: /);
  });

  it('an empty payload holds zero records and nothing else', () => {
    expect(decodeRecords(Buffer.alloc(0), context({ recordCount: 0 }), locate)).toEqual([]);
    expect(formatError(() => decodeRecords(Buffer.from('00', 'hex'), context({ recordCount: 0 }), locate)).position).toBe(7000);
  });

  it('LogAppendTime records take the batch maxTimestamp, CreateTime ones base + delta', () => {
    const batch = encodeRecordBatch({ baseOffset: 100, records: [{ key: null, value: null, timestamp: 1003 }] });
    const payload = batch.subarray(61);
    const logAppend = decodeRecords(payload, context({ baseTimestamp: 1003, timestampType: 'LogAppendTime' }), locate);
    expect(logAppend[0]!.timestamp).toBe(5000);
    const create = decodeRecords(payload, context({ baseTimestamp: 1003 }), locate);
    expect(create[0]!.timestamp).toBe(1003);
  });

  it('agrees with the encoder on random record lists (key/value/header sizes)', () => {
    const bytes = fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null });
    fc.assert(
      fc.property(fc.array(fc.record({ key: bytes, value: bytes, h: fc.option(fc.uint8Array({ maxLength: 200 }), { nil: null }) }), { minLength: 1, maxLength: 20 }), (list) => {
        const batch = encodeRecordBatch({ baseOffset: 0, records: list.map((r) => ({ key: r.key, value: r.value, timestamp: 0, headers: [{ key: 'h', value: r.h }] })) });
        const records = decodeRecords(batch.subarray(61), context({ baseOffset: 0, lastOffset: list.length - 1, baseTimestamp: 0, recordCount: list.length }), locate);
        records.forEach((record, i) => {
          expect(record.offset).toBe(i);
          expect(record.key === null ? null : [...record.key]).toEqual(list[i]!.key === null ? null : [...list[i]!.key!]);
          expect(record.value === null ? null : [...record.value]).toEqual(list[i]!.value === null ? null : [...list[i]!.value!]);
          const [header] = record.headers;
          expect(header!.value === null ? null : [...header!.value]).toEqual(list[i]!.h === null ? null : [...list[i]!.h!]);
        });
      }),
      { numRuns: 200 },
    );
  });
});
