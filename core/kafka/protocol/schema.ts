import { NO_VERSIONS, formatRange, inRange, isSubrange, versionRange } from './versions';
import type { VersionRange, Versions } from './versions';

/**
 * A small declarative form of Kafka's message definitions (the JSON files under
 * clients/src/main/resources/common/message/), so each API is one table that reads like the
 * specification and the generic walkers in schema-codec.ts do the bytes.
 *
 * Field names are written as Kafka writes them ("ThrottleTimeMs"), so tables and error paths can be
 * compared with the specification line by line; decoded objects use the same names with a
 * lower-case first letter ("throttleTimeMs"), as TypeScript code expects. The TypeScript type of a
 * decoded message is derived from its table (MessageValue), so the two cannot drift apart.
 */

export type PrimitiveType = 'int8' | 'int16' | 'int32' | 'int64' | 'uint16' | 'uint32' | 'float64' | 'bool' | 'string' | 'bytes' | 'records' | 'uuid';

/** What each primitive decodes to. */
export interface PrimitiveValues {
  int8: number;
  int16: number;
  int32: number;
  int64: number;
  uint16: number;
  uint32: number;
  float64: number;
  bool: boolean;
  string: string;
  bytes: Buffer;
  /** Raw record batches, exactly as on the wire (and on disk). */
  records: Buffer;
  /** Kafka's text form of a Uuid: 22 characters of unpadded base64url. */
  uuid: string;
}

/** What each primitive accepts when encoding: byte fields also take a list of buffers, written back to back. */
export type PrimitiveInputs = Omit<PrimitiveValues, 'bytes' | 'records'> & {
  bytes: Buffer | readonly Buffer[];
  records: Buffer | readonly Buffer[];
};

/** The all-zero Uuid, Kafka's Uuid.ZERO_UUID, the default of uuid fields. */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

const EMPTY_BYTES = Buffer.alloc(0);

export interface FieldOptions<D = unknown> {
  /** Versions in which the field may be null. */
  readonly nullable?: Versions;
  /** Tag number: in its tagged versions the field lives only in the tag buffer. */
  readonly tag?: number;
  /** Versions in which the field is tagged; defaults to all of its versions. */
  readonly taggedVersions?: Versions;
  /** Value in versions without the field, and for a field left out when encoding. */
  readonly default?: D;
}

export type FieldKind = 'primitive' | 'array' | 'struct';

/**
 * One field of a message or struct. `V` is the decoded type and `I` the type accepted when
 * encoding; both exist only for the compiler (`types` is never set).
 */
export interface Field<N extends string = string, V = unknown, I = unknown> {
  readonly name: N;
  /** The property name in decoded objects: `name` with a lower-case first letter. */
  readonly key: string;
  readonly kind: FieldKind;
  /** The primitive type, or for an array of primitives its element type; null otherwise. */
  readonly type: PrimitiveType | null;
  /** The fields of a struct, or of each element of an array of structs; null otherwise. */
  readonly fields: readonly Field[] | null;
  readonly versions: VersionRange;
  readonly nullableVersions: VersionRange;
  readonly tag: number | null;
  readonly taggedVersions: VersionRange;
  /** A fresh default value: arrays and structs are never shared between decoded messages. */
  readonly makeDefault: () => V;
  readonly types?: { readonly value: V; readonly input: I };
}

type AnyField = Field<string, unknown, unknown>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type ValueOf<F> = F extends Field<string, infer V, unknown> ? V : never;
type InputOf<F> = F extends { readonly types?: { readonly input: infer I } } ? I : never;

/** The decoded form of a struct: every field is present (absent versions give the default). */
export type StructValue<Fs extends readonly AnyField[]> = Simplify<{ [F in Fs[number] as Uncapitalize<F['name']>]: ValueOf<F> }>;

/** What encoding a struct accepts: any field may be left out and is then written as its default. */
export type StructInput<Fs extends readonly AnyField[]> = Simplify<{ [F in Fs[number] as Uncapitalize<F['name']>]?: InputOf<F> }>;

type Nullable<T, O> = O extends { readonly nullable: Versions } ? T | null : T;

function keyOf(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function makeField<N extends string, V, I>(
  name: N,
  kind: FieldKind,
  type: PrimitiveType | null,
  fields: readonly AnyField[] | null,
  versions: Versions,
  options: FieldOptions | undefined,
  zero: () => V,
): Field<N, V, I> {
  const range = versionRange(versions);
  const explicit = options !== undefined && 'default' in options;
  const makeDefault = explicit ? () => options.default as V : zero;
  return {
    name,
    key: keyOf(name),
    kind,
    type,
    fields,
    versions: range,
    nullableVersions: options?.nullable === undefined ? NO_VERSIONS : versionRange(options.nullable),
    tag: options?.tag ?? null,
    taggedVersions: options?.tag === undefined ? NO_VERSIONS : options.taggedVersions === undefined ? range : versionRange(options.taggedVersions),
    makeDefault,
  };
}

const ZEROS: { readonly [T in PrimitiveType]: () => PrimitiveValues[T] | null } = {
  int8: () => 0,
  int16: () => 0,
  int32: () => 0,
  int64: () => 0,
  uint16: () => 0,
  uint32: () => 0,
  float64: () => 0,
  bool: () => false,
  string: () => '',
  bytes: () => EMPTY_BYTES,
  // Kafka's Records fields are nullable everywhere and default to null.
  records: () => null,
  uuid: () => ZERO_UUID,
};

function primitive<T extends PrimitiveType>(type: T) {
  return <const N extends string, const O extends FieldOptions<PrimitiveValues[T] | null> = Record<never, never>>(
    name: N,
    versions: Versions,
    options?: O,
  ): Field<N, Nullable<PrimitiveValues[T], O>, Nullable<PrimitiveInputs[T], O>> =>
    makeField(name, 'primitive', type, null, versions, options, ZEROS[type] as () => Nullable<PrimitiveValues[T], O>);
}

export const int8 = primitive('int8');
export const int16 = primitive('int16');
export const int32 = primitive('int32');
export const int64 = primitive('int64');
export const uint16 = primitive('uint16');
export const uint32 = primitive('uint32');
export const float64 = primitive('float64');
export const bool = primitive('bool');
export const string = primitive('string');
export const bytes = primitive('bytes');
export const uuid = primitive('uuid');

/** Record batches: nullable bytes in every version, as in Kafka's definitions. */
export function records<const N extends string>(name: N, versions: Versions): Field<N, Buffer | null, Buffer | readonly Buffer[] | null> {
  return makeField(name, 'primitive', 'records', null, versions, { nullable: '0+' }, () => null);
}

/** An array of structs, each element with its own fields (and, in flexible versions, its own tag buffer). */
export function array<const N extends string, const Fs extends readonly AnyField[], const O extends FieldOptions<null> = Record<never, never>>(
  name: N,
  versions: Versions,
  fields: Fs,
  options?: O,
): Field<N, Nullable<StructValue<Fs>[], O>, Nullable<readonly StructInput<Fs>[], O>> {
  return makeField(name, 'array', null, fields, versions, options, () => [] as unknown as Nullable<StructValue<Fs>[], O>);
}

/** An array of primitives ("[]int32", "[]string"). */
export function arrayOf<const N extends string, T extends PrimitiveType, const O extends FieldOptions<null> = Record<never, never>>(
  name: N,
  versions: Versions,
  item: T,
  options?: O,
): Field<N, Nullable<PrimitiveValues[T][], O>, Nullable<readonly PrimitiveInputs[T][], O>> {
  return makeField(name, 'array', item, null, versions, options, () => [] as unknown as Nullable<PrimitiveValues[T][], O>);
}

/** A single nested struct (in these APIs, only tagged ones such as Fetch's CurrentLeader). */
export function struct<const N extends string, const Fs extends readonly AnyField[]>(
  name: N,
  versions: Versions,
  fields: Fs,
  options?: Omit<FieldOptions, 'default' | 'nullable'>,
): Field<N, StructValue<Fs>, StructInput<Fs>> {
  return makeField(name, 'struct', null, fields, versions, options, () => defaultStruct(fields) as StructValue<Fs>);
}

/** A struct with every field at its default. */
export function defaultStruct(fields: readonly AnyField[]): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const field of fields) value[field.key] = field.makeDefault();
  return value;
}

export interface MessageSchema<Fs extends readonly AnyField[] = readonly AnyField[]> {
  /** "ProduceRequest", "ProduceResponse": the prefix of error messages. */
  readonly name: string;
  /** The versions this table describes (which may be more than a listener advertises). */
  readonly versions: VersionRange;
  /** From these versions on: compact strings, bytes and arrays, and a tag buffer after every struct. */
  readonly flexibleVersions: VersionRange;
  readonly fields: Fs;
}

export type MessageValue<S> = S extends MessageSchema<infer Fs> ? StructValue<Fs> : never;
export type MessageInput<S> = S extends MessageSchema<infer Fs> ? StructInput<Fs> : never;

/**
 * Builds a message table, checking it the way Kafka's generator checks the JSON: unique names and
 * tags per struct, tagged fields only in flexible versions, defaults that fit their field. A table
 * error is a bug here, so it throws when the module loads rather than when a client calls.
 */
export function message<const Fs extends readonly AnyField[]>(
  name: string,
  spec: { readonly versions: Versions; readonly flexibleVersions: Versions },
  fields: Fs,
): MessageSchema<Fs> {
  const schema: MessageSchema<Fs> = { name, versions: versionRange(spec.versions), flexibleVersions: versionRange(spec.flexibleVersions), fields };
  checkStruct(schema, fields, name);
  return schema;
}

function checkStruct(schema: MessageSchema, fields: readonly AnyField[], where: string): void {
  const names = new Set<string>();
  const tags = new Set<number>();
  for (const field of fields) {
    const at = `${where}.${field.name}`;
    if (names.has(field.key)) throw new Error(`${at}: duplicate field name`);
    names.add(field.key);
    if (field.tag !== null) {
      if (tags.has(field.tag)) throw new Error(`${at}: duplicate tag ${field.tag}`);
      tags.add(field.tag);
      if (!isSubrange(field.taggedVersions, schema.flexibleVersions)) {
        throw new Error(`${at}: tagged in ${formatRange(field.taggedVersions)} but the message is flexible only in ${formatRange(schema.flexibleVersions)}`);
      }
    }
    const fallback = field.makeDefault();
    if (fallback === null && field.nullableVersions.max < field.nullableVersions.min) throw new Error(`${at}: default null but never nullable`);
    if (field.kind === 'array' && fallback !== null && !(Array.isArray(fallback) && fallback.length === 0)) {
      throw new Error(`${at}: an array's default is [] or null`);
    }
    if (field.fields !== null) checkStruct(schema, field.fields, at);
    // A version range that starts past the message's last version is a typo in the table.
    if (field.versions.min > schema.versions.max) throw new Error(`${at}: versions ${formatRange(field.versions)} start after the message's last version`);
  }
}

/** Is `version` one in which this field is on the wire outside the tag buffer? */
export function isRegularIn(field: AnyField, version: number): boolean {
  return inRange(field.versions, version) && !inRange(field.taggedVersions, version);
}

/** Is `version` one in which this field is in the tag buffer? */
export function isTaggedIn(field: AnyField, version: number): boolean {
  return field.tag !== null && inRange(field.versions, version) && inRange(field.taggedVersions, version);
}
