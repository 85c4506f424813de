import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';
import type { ProduceRecord } from '../../core/log/engine/log-engine';

/** A line of `tapedeck produce` input that is not what it should be, with where it is. */
export class ProduceInputError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    reason: string,
  ) {
    super(`stdin line ${line}, column ${column}: ${reason}`);
    this.name = 'ProduceInputError';
  }
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');

/**
 * One input line of `tapedeck produce`: a JSON object with `key`, `value`, optional `timestamp`
 * (ms), `headers` (object) and `partition`. Strings are stored as UTF-8, other JSON values as
 * their JSON text, null as null; with `raw`, key, value and header values are base64 strings.
 */
export function parseProduceLine(text: string, line: number, raw: boolean): ProduceRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // JSON.parse does not say where (V8's messages carry no position); a strict second parse does.
    const errors: ParseError[] = [];
    parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    throw new ProduceInputError(line, (first?.offset ?? 0) + 1, `not valid JSON: ${first ? printParseErrorCode(first.error) : (error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ProduceInputError(line, 1, 'expected a JSON object with key and value');
  const object = parsed as Record<string, unknown>;
  const column = (field: string) => Math.max(text.indexOf(`"${field}"`), 0) + 1;
  const bytes = (value: unknown, field: string): Buffer | null => {
    if (value === null || value === undefined) return null;
    if (raw) {
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new ProduceInputError(line, column(field), `${field} must be a base64 string with --raw`);
      return Buffer.from(value, 'base64');
    }
    return typeof value === 'string' ? utf8(value) : utf8(JSON.stringify(value));
  };
  const timestamp = object['timestamp'];
  if (timestamp !== undefined && (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < -1)) {
    throw new ProduceInputError(line, column('timestamp'), 'timestamp must be milliseconds since the epoch (an integer)');
  }
  const partition = object['partition'];
  if (partition !== undefined && (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0)) {
    throw new ProduceInputError(line, column('partition'), 'partition must be a non-negative integer');
  }
  const headers = object['headers'];
  if (headers !== undefined && (typeof headers !== 'object' || headers === null || Array.isArray(headers))) {
    throw new ProduceInputError(line, column('headers'), 'headers must be an object of header names to values');
  }
  return {
    key: bytes(object['key'], 'key'),
    value: bytes(object['value'], 'value'),
    timestamp: timestamp as number | undefined,
    partition: partition as number | undefined,
    headers: Object.entries((headers ?? {}) as Record<string, unknown>).map(([key, value]) => ({ key, value: bytes(value, `headers.${key}`) })),
  };
}
