import { ProtocolError } from './protocol-error';
import { ProtocolReader } from './reader';
import { isRegularIn, isTaggedIn } from './schema';
import type { Field, MessageInput, MessageSchema, MessageValue, PrimitiveType } from './schema';
import { formatRange, inRange } from './versions';
import { ProtocolWriter } from './writer';

/**
 * The generic walkers over a message table: decode bytes of one version into a plain object, and
 * encode an object into bytes of one version. Fields a version does not have decode as their
 * default and are not written; in flexible versions every struct ends with a tag buffer whose
 * unknown tags are skipped and whose known ones fill their fields.
 */

type Struct = Record<string, unknown>;

function checkVersion(schema: MessageSchema, version: number): void {
  if (!Number.isInteger(version) || !inRange(schema.versions, version)) {
    throw new ProtocolError({ context: schema.name }, `version ${version} is not one of the versions ${formatRange(schema.versions)} this table describes`);
  }
}

export function decode<S extends MessageSchema>(schema: S, version: number, reader: ProtocolReader): MessageValue<S> {
  checkVersion(schema, version);
  const outerContext = reader.context;
  reader.context = `${schema.name} v${version}`;
  const value = decodeStruct(schema.fields, version, inRange(schema.flexibleVersions, version), reader);
  reader.context = outerContext;
  return value as MessageValue<S>;
}

/** Decodes a whole buffer holding just this message (no header). Trailing bytes are an error here. */
export function decodeMessage<S extends MessageSchema>(schema: S, version: number, bytes: Buffer): MessageValue<S> {
  const reader = new ProtocolReader(bytes);
  const value = decode(schema, version, reader);
  if (reader.remaining > 0) {
    throw new ProtocolError({ context: `${schema.name} v${version}`, position: reader.position }, `${reader.remaining} bytes left over after the message ends at byte ${reader.position}`);
  }
  return value;
}

export function encode<S extends MessageSchema>(schema: S, version: number, value: MessageInput<S>, writer: ProtocolWriter): void {
  checkVersion(schema, version);
  const outerContext = writer.context;
  writer.context = `${schema.name} v${version}`;
  encodeStruct(schema.fields, version, inRange(schema.flexibleVersions, version), value, writer);
  writer.context = outerContext;
}

export function encodeMessage<S extends MessageSchema>(schema: S, version: number, value: MessageInput<S>): Buffer {
  const writer = new ProtocolWriter();
  encode(schema, version, value, writer);
  return writer.toBuffer();
}

// --- decoding ---

/** Per struct table: its tagged fields by tag, built on first use. */
const tagMaps = new WeakMap<readonly Field[], Map<number, Field>>();

function tagMap(fields: readonly Field[]): Map<number, Field> {
  let map = tagMaps.get(fields);
  if (map === undefined) {
    map = new Map();
    for (const field of fields) if (field.tag !== null) map.set(field.tag, field);
    tagMaps.set(fields, map);
  }
  return map;
}

function decodeStruct(fields: readonly Field[], version: number, flexible: boolean, reader: ProtocolReader): Struct {
  const value: Struct = {};
  for (const field of fields) {
    if (!isRegularIn(field, version)) {
      value[field.key] = field.makeDefault();
      continue;
    }
    reader.path.enter(field.name);
    value[field.key] = decodeValue(field, version, flexible, reader);
    reader.path.leave();
  }
  if (flexible) {
    const tagged = tagMap(fields);
    reader.tagBuffer((tag) => {
      const field = tagged.get(tag);
      // A tag this table does not know (or not in this version) is a newer field: skipped.
      if (field === undefined || !isTaggedIn(field, version)) return;
      reader.path.enter(field.name);
      value[field.key] = decodeValue(field, version, flexible, reader);
      reader.path.leave();
    });
  }
  return value;
}

function decodeValue(field: Field, version: number, flexible: boolean, reader: ProtocolReader): unknown {
  const nullable = inRange(field.nullableVersions, version);
  if (field.kind === 'struct') return decodeStruct(field.fields ?? [], version, flexible, reader);
  if (field.kind === 'primitive') return readPrimitive(field.type ?? 'int8', nullable, flexible, reader);
  const start = reader.position;
  const count = flexible ? reader.compactArrayLength() : reader.arrayLength();
  if (count === null) {
    if (nullable) return null;
    return reader.fail(`array at byte ${start} is null, which v${version} does not allow`, undefined, start);
  }
  const items: unknown[] = [];
  for (let i = 0; i < count; i++) {
    reader.path.enter(i);
    items.push(field.fields !== null ? decodeStruct(field.fields, version, flexible, reader) : readPrimitive(field.type ?? 'int8', false, flexible, reader));
    reader.path.leave();
  }
  return items;
}

function readPrimitive(type: PrimitiveType, nullable: boolean, flexible: boolean, reader: ProtocolReader): unknown {
  switch (type) {
    case 'int8':
      return reader.int8();
    case 'int16':
      return reader.int16();
    case 'int32':
      return reader.int32();
    case 'int64':
      return reader.int64();
    case 'uint16':
      return reader.uint16();
    case 'uint32':
      return reader.uint32();
    case 'float64':
      return reader.float64();
    case 'bool':
      return reader.bool();
    case 'uuid':
      return reader.uuid();
    case 'string':
      if (flexible) return nullable ? reader.compactNullableString() : reader.compactString();
      return nullable ? reader.nullableString() : reader.string();
    case 'bytes':
    case 'records':
      if (flexible) return nullable ? reader.compactNullableBytes() : reader.compactBytes();
      return nullable ? reader.nullableBytes() : reader.bytes();
  }
}

// --- encoding ---

function encodeStruct(fields: readonly Field[], version: number, flexible: boolean, input: unknown, writer: ProtocolWriter): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) writer.fail(`expected an object, got ${describe(input)}`);
  const value = input as Struct;
  let tagged: { tag: number; bytes: Buffer }[] | null = null;
  for (const field of fields) {
    // Values for fields this version lacks are dropped rather than refused, so one response object
    // can be encoded for whichever version the client asked for.
    if (!inRange(field.versions, version)) continue;
    const given = value[field.key];
    const fieldValue = given === undefined ? field.makeDefault() : given;
    writer.path.enter(field.name);
    if (isTaggedIn(field, version)) {
      if (!isDefault(field, fieldValue)) {
        const tagWriter = new ProtocolWriter(64);
        tagWriter.context = writer.context;
        tagWriter.path.enter(writer.path.format());
        encodeValue(field, version, flexible, fieldValue, tagWriter);
        (tagged ??= []).push({ tag: field.tag as number, bytes: tagWriter.toBuffer() });
      }
    } else {
      encodeValue(field, version, flexible, fieldValue, writer);
    }
    writer.path.leave();
  }
  if (flexible) {
    if (tagged === null) writer.emptyTagBuffer();
    else writer.tagBuffer(tagged);
  }
}

function encodeValue(field: Field, version: number, flexible: boolean, value: unknown, writer: ProtocolWriter): void {
  const nullable = inRange(field.nullableVersions, version);
  if (value === null && !nullable) {
    const when = field.nullableVersions.max < field.nullableVersions.min ? 'never' : `only in v${formatRange(field.nullableVersions)}`;
    writer.fail(`null is not allowed in v${version} (the field is nullable ${when})`);
  }
  if (field.kind === 'struct') return encodeStruct(field.fields ?? [], version, flexible, value, writer);
  if (field.kind === 'primitive') return writePrimitive(field.type ?? 'int8', value, nullable, flexible, writer);
  if (value === null) return flexible ? writer.compactArrayLength(null) : writer.arrayLength(null);
  if (!Array.isArray(value)) return writer.fail(`expected an array, got ${describe(value)}`);
  if (flexible) writer.compactArrayLength(value.length);
  else writer.arrayLength(value.length);
  for (let i = 0; i < value.length; i++) {
    writer.path.enter(i);
    if (field.fields !== null) encodeStruct(field.fields, version, flexible, value[i], writer);
    else writePrimitive(field.type ?? 'int8', value[i], false, flexible, writer);
    writer.path.leave();
  }
}

function writePrimitive(type: PrimitiveType, value: unknown, nullable: boolean, flexible: boolean, writer: ProtocolWriter): void {
  switch (type) {
    case 'int8':
      return writer.int8(value as number);
    case 'int16':
      return writer.int16(value as number);
    case 'int32':
      return writer.int32(value as number);
    case 'int64':
      return writer.int64(value as number);
    case 'uint16':
      return writer.uint16(value as number);
    case 'uint32':
      return writer.uint32(value as number);
    case 'float64':
      return writer.float64(value as number);
    case 'bool':
      return writer.bool(value as boolean);
    case 'uuid':
      return writer.uuid(value as string);
    case 'string':
      if (flexible) return nullable ? writer.compactNullableString(value as string | null) : writer.compactString(value as string);
      return nullable ? writer.nullableString(value as string | null) : writer.string(value as string);
    case 'bytes':
    case 'records':
      if (flexible) return nullable ? writer.compactNullableBytes(value as Buffer | null) : writer.compactBytes(value as Buffer);
      return nullable ? writer.nullableBytes(value as Buffer | null) : writer.bytes(value as Buffer);
  }
}

/** A tagged field is only written when it differs from its default, as Kafka does. */
function isDefault(field: Field, value: unknown): boolean {
  const fallback = field.makeDefault();
  if (field.kind === 'struct') {
    if (typeof value !== 'object' || value === null) return false;
    const struct = value as Struct;
    return (field.fields ?? []).every((sub) => struct[sub.key] === undefined || isDefault(sub, struct[sub.key]));
  }
  if (field.kind === 'array') {
    if (value === null || fallback === null) return value === fallback;
    return Array.isArray(value) && value.length === 0 && Array.isArray(fallback) && fallback.length === 0;
  }
  if (Buffer.isBuffer(value) && Buffer.isBuffer(fallback)) return value.equals(fallback);
  return value === fallback;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
