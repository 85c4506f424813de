import { describe, expect, it } from 'vitest';
import { controlRecordType, decodeCoordinatorEpoch, encodeControlKey, encodeEndTransactionValue } from './control-record';

const key = (hex: string) => Buffer.from(hex, 'hex');

describe('control record keys (kafka-format.md section 2.4)', () => {
  it('maps the seven known types by their i16 code', () => {
    const names = ['ABORT', 'COMMIT', 'LEADER_CHANGE', 'SNAPSHOT_HEADER', 'SNAPSHOT_FOOTER', 'KRAFT_VERSION', 'KRAFT_VOTERS'];
    names.forEach((name, code) => expect(controlRecordType(key(`0000000${code}`))).toBe(name));
  });

  it('tolerates unknown types and newer key versions', () => {
    expect(controlRecordType(key('00000007'))).toBe('UNKNOWN(7)');
    expect(controlRecordType(key('00000100'))).toBe('UNKNOWN(256)');
    expect(controlRecordType(key('00010001'))).toBe('COMMIT');
  });

  it('explains instead of guessing for a negative version or a short or missing key', () => {
    expect(controlRecordType(key('80000001'))).toEqual({ error: expect.stringMatching(/version -32768 is negative/) });
    expect(controlRecordType(key('000000'))).toEqual({ error: expect.stringMatching(/3 bytes, expected 4/) });
    expect(controlRecordType(null)).toEqual({ error: expect.stringMatching(/no bytes/) });
  });

  it('encodes COMMIT and ABORT keys and end-transaction values as Kafka does', () => {
    expect(encodeControlKey('ABORT').toString('hex')).toBe('00000000');
    expect(encodeControlKey('COMMIT').toString('hex')).toBe('00000001');
    expect(encodeEndTransactionValue(0x01020304).toString('hex')).toBe('0000' + '01020304');
    expect(encodeEndTransactionValue(-1).toString('hex')).toBe('0000' + 'ffffffff');
  });

  it('reads the coordinator epoch back, and nothing from a short or null value', () => {
    expect(decodeCoordinatorEpoch(encodeEndTransactionValue(42))).toBe(42);
    expect(decodeCoordinatorEpoch(key('00000001'))).toBeUndefined();
    expect(decodeCoordinatorEpoch(null)).toBeUndefined();
  });
});
