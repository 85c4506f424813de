import { describe, expect, it } from 'vitest';
import { metadataRequest } from './apis/metadata';
import { ProtocolError } from './protocol-error';
import { ProtocolReader } from './reader';
import { array, arrayOf, bytes, int16, int32, int64, message, records, string, struct, uuid } from './schema';
import { decode, decodeMessage, encodeMessage } from './schema-codec';

/** A table with one of everything the walkers handle, in versions 0-3, flexible from 2. */
const testMessage = message('TestMessage', { versions: [0, 3], flexibleVersions: '2+' }, [
  int16('ErrorCode', '0+'),
  string('Name', '0+', { nullable: '1+', default: null }),
  int64('Offset', '1+', { default: -1 }),
  array('Items', '0+', [int32('Id', '0+'), string('Label', '3+'), bytes('Payload', '0+')], { nullable: '1+' }),
  arrayOf('Numbers', [0, 2], 'int32'),
  records('Records', '0+'),
  uuid('TopicId', '3+'),
  int32('Hint', '2+', { tag: 0, default: -1 }),
  struct('Leader', '2+', [int32('LeaderId', '2+', { default: -1 }), int32('LeaderEpoch', '2+', { default: -1 })], { tag: 1 }),
]);

const hex = (buffer: Buffer): string => buffer.toString('hex');

describe('schema walkers', () => {
  it('write classic encodings before the flexible version', () => {
    const bytesV1 = encodeMessage(testMessage, 1, {
      errorCode: 3,
      name: 'ab',
      offset: 5,
      items: [{ id: 1, label: 'ignored before v3', payload: Buffer.from('ff', 'hex') }],
      numbers: [9],
      records: null,
    });
    expect(hex(bytesV1)).toBe(
      '0003' + '00026162' + '0000000000000005' + '00000001' + '00000001' + '00000001ff' + '00000001' + '00000009' + 'ffffffff',
    );
  });

  it('write compact encodings and a tag buffer after every struct from the flexible version', () => {
    const bytesV2 = encodeMessage(testMessage, 2, { errorCode: 3, name: null, items: [{ id: 1, payload: Buffer.alloc(0) }], records: Buffer.from('aa', 'hex') });
    expect(hex(bytesV2)).toBe(
      '0003' + '00' + 'ffffffffffffffff' + '02' + '00000001' + '01' + '00' + '01' + '02aa' + '00',
    );
  });

  it('write tagged fields only when they differ from their defaults, in tag order', () => {
    const bytesV2 = encodeMessage(testMessage, 2, { leader: { leaderId: 4 }, hint: 7 });
    // ... Records null (00), then the top-level tag buffer: 2 fields; the struct has its own tag buffer.
    expect(hex(bytesV2).endsWith('00' + '02' + '0004' + '00000007' + '0109' + '00000004' + 'ffffffff' + '00')).toBe(true);
    const decoded = decodeMessage(testMessage, 2, bytesV2);
    expect(decoded.hint).toBe(7);
    expect(decoded.leader).toEqual({ leaderId: 4, leaderEpoch: -1 });
  });

  it('decode fields a version lacks as their defaults, and tagged fields that were not sent as theirs', () => {
    const decoded = decodeMessage(testMessage, 0, Buffer.from('0000' + '0000' + '00000000' + '00000000' + 'ffffffff', 'hex'));
    expect(decoded).toEqual({ errorCode: 0, name: '', offset: -1, items: [], numbers: [], records: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', hint: -1, leader: { leaderId: -1, leaderEpoch: -1 } });
    const v3 = decodeMessage(testMessage, 3, encodeMessage(testMessage, 3, {}));
    expect(v3.hint).toBe(-1);
    expect(v3.leader).toEqual({ leaderId: -1, leaderEpoch: -1 });
  });

  it('skip tags they do not know, and read the ones they do', () => {
    const plain = encodeMessage(testMessage, 2, {});
    // Replace the empty top-level tag buffer with: tag 0 (Hint = 9), tag 5 (unknown, 3 bytes).
    const tagged = Buffer.concat([plain.subarray(0, plain.length - 1), Buffer.from('02' + '000400000009' + '0503abcdef', 'hex')]);
    expect(decodeMessage(testMessage, 2, tagged).hint).toBe(9);
  });

  it('refuse null where the version does not allow it, naming the field path', () => {
    expect(() => encodeMessage(testMessage, 0, { name: null })).toThrow('TestMessage v0 Name: null is not allowed in v0 (the field is nullable only in v1+)');
    expect(() => encodeMessage(testMessage, 3, { items: [{ id: 1, label: null as unknown as string }] })).toThrow(
      'TestMessage v3 Items[0].Label: null is not allowed in v3 (the field is nullable never)',
    );
    expect(() => decodeMessage(testMessage, 0, Buffer.from('0000ffff', 'hex'))).toThrow('TestMessage v0 Name: string at byte 2 is null, which this field does not allow');
    expect(() => decodeMessage(testMessage, 0, Buffer.from('00000000ffffffff', 'hex'))).toThrow('TestMessage v0 Items: array at byte 4 is null, which v0 does not allow');
  });

  it('refuse values of the wrong shape, naming the field path', () => {
    expect(() => encodeMessage(testMessage, 1, { items: [{ id: 'x' as unknown as number }] })).toThrow('TestMessage v1 Items[0].Id: x is not a valid int32');
    expect(() => encodeMessage(testMessage, 1, { items: 3 as never })).toThrow('TestMessage v1 Items: expected an array, got number');
    expect(() => encodeMessage(testMessage, 2, { leader: { leaderId: 2 ** 40 }, hint: 1 })).toThrow('TestMessage v2 Leader.LeaderId: 1099511627776 is not a valid int32');
  });

  it('refuse versions the table does not describe, and report leftover bytes', () => {
    expect(() => encodeMessage(testMessage, 4, {})).toThrow('TestMessage: version 4 is not one of the versions 0-3 this table describes');
    expect(() => decodeMessage(testMessage, 0, Buffer.from('0000' + '0000' + '00000000' + '00000000' + 'ffffffff' + '99', 'hex'))).toThrow('1 bytes left over after the message ends at byte 16');
  });

  it('write a list of buffers in a bytes field back to back', () => {
    const parts = [Buffer.from('0102', 'hex'), Buffer.from('03', 'hex')];
    expect(decodeMessage(testMessage, 3, encodeMessage(testMessage, 3, { records: parts })).records).toEqual(Buffer.from('010203', 'hex'));
  });

  it('name the field and the frame byte when a frame is short', () => {
    // A MetadataRequest v9 body read after a 13-byte header: one topic whose name claims 300 bytes.
    const frame = Buffer.concat([Buffer.alloc(13), Buffer.from('02' + 'ad02' + '61626364', 'hex')]);
    const reader = new ProtocolReader(frame, { position: 13 });
    expect(() => decode(metadataRequest, 9, reader)).toThrow(
      new ProtocolError({ context: 'MetadataRequest v9', field: 'Topics[0].Name', position: 14 }, 'compact string of 300 bytes at byte 14 runs past the 20-byte frame'),
    );
  });
});

describe('table checks', () => {
  it('refuse a tagged field outside the flexible versions', () => {
    expect(() => message('Bad', { versions: [0, 3], flexibleVersions: '2+' }, [int32('Hint', '1+', { tag: 0 })])).toThrow('Bad.Hint: tagged in 1+ but the message is flexible only in 2+');
  });

  it('refuse duplicate tags and names', () => {
    expect(() => message('Bad', { versions: [0, 3], flexibleVersions: '0+' }, [int32('A', '0+', { tag: 0 }), int32('B', '0+', { tag: 0 })])).toThrow('duplicate tag 0');
    expect(() => message('Bad', { versions: [0, 3], flexibleVersions: '0+' }, [int32('A', '0+'), int16('A', '0+')])).toThrow('duplicate field name');
  });

  it('refuse a null default on a field that is never nullable', () => {
    expect(() => message('Bad', { versions: [0, 3], flexibleVersions: 'none' }, [string('A', '0+', { default: null })])).toThrow('default null but never nullable');
  });
});
