import type { MessageInput, MessageSchema, MessageValue } from '../schema';
import { formatRange } from '../versions';

/**
 * One Kafka API as this codec serves it: the versions accepted and advertised, and the tables of
 * its request and response. The tables may describe more versions than are supported (Metadata's
 * table knows v10-12); `minVersion`-`maxVersion` is what a listener accepts and advertises.
 */
export interface ApiDefinition<K extends number = number, Req extends MessageSchema = MessageSchema, Res extends MessageSchema = MessageSchema> {
  readonly key: K;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First flexible version (compact encodings, tag buffers, request header v2, response header v1). */
  readonly flexibleVersion: number;
  readonly request: Req;
  readonly response: Res;
}

export type RequestOf<A> = A extends ApiDefinition<number, infer Req, MessageSchema> ? MessageValue<Req> : never;
export type ResponseOf<A> = A extends ApiDefinition<number, MessageSchema, infer Res> ? MessageValue<Res> : never;
export type RequestInputOf<A> = A extends ApiDefinition<number, infer Req, MessageSchema> ? MessageInput<Req> : never;
export type ResponseInputOf<A> = A extends ApiDefinition<number, MessageSchema, infer Res> ? MessageInput<Res> : never;

/** Checks that the supported versions are inside both tables and that the tables agree on flexibility. */
export function defineApi<const K extends number, Req extends MessageSchema, Res extends MessageSchema>(api: ApiDefinition<K, Req, Res>): ApiDefinition<K, Req, Res> {
  for (const schema of [api.request, api.response]) {
    if (api.minVersion < schema.versions.min || api.maxVersion > schema.versions.max) {
      throw new Error(`${api.name}: supported versions ${api.minVersion}-${api.maxVersion} are not all in ${schema.name}'s ${formatRange(schema.versions)}`);
    }
    if (schema.flexibleVersions.min !== api.flexibleVersion) {
      throw new Error(`${api.name}: ${schema.name} is flexible from ${formatRange(schema.flexibleVersions)}, not from ${api.flexibleVersion}`);
    }
  }
  return api;
}
