import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { API_DEFINITIONS } from '../api-registry';
import { ProtocolError } from '../protocol-error';
import { ProtocolReader } from '../reader';
import { decode, decodeMessage, encodeMessage } from '../schema-codec';
import type { MessageSchema } from '../schema';
import { asSeenIn, fullSample, messageArbitrary, versionsOf } from '../schema-arbitrary.test-support';

/**
 * Every table, every version it describes: values survive a round trip, fields a version lacks
 * come back as their defaults, and arbitrary or damaged bytes only ever produce a ProtocolError.
 */

const SCHEMAS: { readonly api: string; readonly schema: MessageSchema }[] = API_DEFINITIONS.flatMap((api) => [
  { api: api.name, schema: api.request as MessageSchema },
  { api: api.name, schema: api.response as MessageSchema },
]);

function decodeOnly(schema: MessageSchema, version: number, bytes: Buffer): void {
  try {
    decode(schema, version, new ProtocolReader(bytes));
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw new Error(`${schema.name} v${version} threw ${String(error)} on ${bytes.toString('hex')}`, { cause: error });
  }
}

describe.each(SCHEMAS)('$schema.name', ({ schema }) => {
  it.each(versionsOf(schema))('v%i: a value with every field set round-trips, absent fields as their defaults', (version) => {
    const sample = fullSample(schema.fields);
    const bytes = encodeMessage(schema, version, sample as never);
    expect(decodeMessage(schema, version, bytes)).toEqual(asSeenIn(schema.fields, version, sample));
  });

  it.each(versionsOf(schema))('v%i: an empty input encodes as all defaults and decodes to them', (version) => {
    const bytes = encodeMessage(schema, version, {} as never);
    const decoded = decodeMessage(schema, version, bytes);
    expect(encodeMessage(schema, version, decoded as never)).toEqual(bytes);
  });

  it('round-trips random values in every version', () => {
    for (const version of versionsOf(schema)) {
      fc.assert(
        fc.property(messageArbitrary(schema, version), (value) => {
          const bytes = encodeMessage(schema, version, value as never);
          expect(decodeMessage(schema, version, bytes)).toEqual(value);
        }),
        { numRuns: 40 },
      );
    }
  });

  it('only ever throws ProtocolError on random bytes', () => {
    for (const version of versionsOf(schema)) {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => decodeOnly(schema, version, Buffer.from(bytes))),
        { numRuns: 60 },
      );
    }
  });

  it('only ever throws ProtocolError on damaged valid messages (truncated, bytes overwritten)', () => {
    for (const version of versionsOf(schema)) {
      const damaged = fc
        .tuple(messageArbitrary(schema, version), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat())
        .map(([value, edits, cut]) => {
          const bytes = Buffer.from(encodeMessage(schema, version, value as never));
          for (const [at, byte] of edits) if (bytes.length > 0) bytes[at % bytes.length] = byte;
          return bytes.subarray(0, bytes.length === 0 ? 0 : cut % (bytes.length + 1));
        });
      fc.assert(
        fc.property(damaged, (bytes) => decodeOnly(schema, version, bytes)),
        { numRuns: 40 },
      );
    }
  });
});

describe('count fields cannot make the decoder loop or allocate', () => {
  it('rejects a 2^31-1 element array in a few bytes, immediately', () => {
    const schema = API_DEFINITIONS.find((api) => api.name === 'Metadata')?.request as MessageSchema;
    const started = performance.now();
    expect(() => decodeMessage(schema, 1, Buffer.from('7fffffff00', 'hex'))).toThrow(
      /MetadataRequest v1 Topics: array of 2147483647 elements at byte 0 cannot fit in the 1 bytes left/,
    );
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('rejects a tag buffer claiming 2^32-1 tags', () => {
    const schema = API_DEFINITIONS.find((api) => api.name === 'Heartbeat')?.response as MessageSchema;
    expect(() => decodeMessage(schema, 4, Buffer.from('0000000000 00 ffffffff0f'.replaceAll(' ', ''), 'hex'))).toThrow(ProtocolError);
  });
});
