import fc from 'fast-check';
import { isRegularIn, isTaggedIn } from './schema';
import type { Field, MessageSchema, PrimitiveType } from './schema';
import { inRange } from './versions';

/**
 * Values for any message table, for round-trip and fuzz tests: fast-check arbitraries of valid
 * values for one version, a deterministic "everything set" sample, and what a value must decode
 * back to in a version that lacks some of its fields (their defaults).
 */

type Struct = Record<string, unknown>;

const graphemes = fc.string({ unit: 'grapheme', maxLength: 12 });

function primitiveArbitrary(type: PrimitiveType): fc.Arbitrary<unknown> {
  switch (type) {
    case 'int8':
      return fc.integer({ min: -0x80, max: 0x7f });
    case 'int16':
      return fc.integer({ min: -0x8000, max: 0x7fff });
    case 'uint16':
      return fc.integer({ min: 0, max: 0xffff });
    case 'int32':
      return fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
    case 'uint32':
      return fc.integer({ min: 0, max: 0xffff_ffff });
    case 'int64':
      return fc.oneof(fc.constantFrom(-1, 0, -2), fc.maxSafeInteger(), fc.integer({ min: Number.MIN_SAFE_INTEGER, max: 0 }));
    case 'float64':
      return fc.double({ noNaN: true });
    case 'bool':
      return fc.boolean();
    case 'string':
      return graphemes;
    case 'bytes':
    case 'records':
      return fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes));
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => Buffer.from(bytes).toString('base64url'));
  }
}

function fieldArbitrary(field: Field, version: number, depth: number): fc.Arbitrary<unknown> {
  let value: fc.Arbitrary<unknown>;
  if (field.kind === 'primitive') value = primitiveArbitrary(field.type ?? 'int8');
  else if (field.kind === 'struct') value = structArbitrary(field.fields ?? [], version, depth + 1);
  else {
    const item = field.fields !== null ? structArbitrary(field.fields, version, depth + 1) : primitiveArbitrary(field.type ?? 'int8');
    value = fc.array(item, { maxLength: depth > 1 ? 2 : 3 });
  }
  return inRange(field.nullableVersions, version) ? fc.option(value, { nil: null, freq: 4 }) : value;
}

/** Valid values of a struct in `version`: fields the version lacks hold their defaults. */
export function structArbitrary(fields: readonly Field[], version: number, depth = 0): fc.Arbitrary<Struct> {
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of fields) {
    record[field.key] = isRegularIn(field, version) || isTaggedIn(field, version) ? fieldArbitrary(field, version, depth) : fc.constant(null).map(() => field.makeDefault());
  }
  return fc.record(record);
}

export function messageArbitrary(schema: MessageSchema, version: number): fc.Arbitrary<Struct> {
  return structArbitrary(schema.fields, version);
}

/** Every version a table describes. */
export function versionsOf(schema: MessageSchema): number[] {
  const versions: number[] = [];
  for (let v = schema.versions.min; v <= schema.versions.max; v++) versions.push(v);
  return versions;
}

const SAMPLE_PRIMITIVES: { readonly [T in PrimitiveType]: unknown } = {
  int8: 7,
  int16: 1234,
  int32: 123456,
  int64: 1_700_000_000_123,
  uint16: 65000,
  uint32: 4_000_000_000,
  float64: 2.5,
  bool: true,
  string: 'tapedeck-é',
  bytes: Buffer.from('cafe', 'hex'),
  records: Buffer.from('0123456789', 'hex'),
  uuid: 'AAECAwQFBgcICQoLDA0ODw',
};

/** A value with every field of every version set to something other than its default. */
export function fullSample(fields: readonly Field[]): Struct {
  const value: Struct = {};
  for (const field of fields) {
    if (field.kind === 'primitive') value[field.key] = SAMPLE_PRIMITIVES[field.type ?? 'int8'];
    else if (field.kind === 'struct') value[field.key] = fullSample(field.fields ?? []);
    else if (field.fields !== null) value[field.key] = [fullSample(field.fields), fullSample(field.fields)];
    else value[field.key] = [SAMPLE_PRIMITIVES[field.type ?? 'int8'], SAMPLE_PRIMITIVES[field.type ?? 'int8']];
  }
  return value;
}

/** What `value` decodes to after a round trip through `version`: absent fields become defaults. */
export function asSeenIn(fields: readonly Field[], version: number, value: Struct): Struct {
  const seen: Struct = {};
  for (const field of fields) {
    const present = isRegularIn(field, version) || isTaggedIn(field, version);
    const fieldValue = value[field.key];
    if (!present) seen[field.key] = field.makeDefault();
    else if (field.kind === 'struct') seen[field.key] = asSeenIn(field.fields ?? [], version, fieldValue as Struct);
    else if (field.kind === 'array' && field.fields !== null && Array.isArray(fieldValue)) {
      seen[field.key] = fieldValue.map((item: Struct) => asSeenIn(field.fields ?? [], version, item));
    } else seen[field.key] = fieldValue;
  }
  return seen;
}
