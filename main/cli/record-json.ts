import { isUtf8 } from 'node:buffer';
import type { LogRecord } from '../../core/log/batch/log-record';

/**
 * How `dump --json` shows bytes: with --raw always base64; otherwise UTF-8 text when the bytes are
 * valid UTF-8, and `{ "base64": "..." }` when they are not, so binary never turns into mojibake
 * and a reader can always tell which it got. null stays null.
 */
export function jsonBytes(bytes: Buffer | null, raw: boolean): string | { base64: string } | null {
  if (bytes === null) return null;
  if (raw) return bytes.toString('base64');
  return isUtf8(bytes) ? bytes.toString('utf8') : { base64: bytes.toString('base64') };
}

/** The same rule for one-line text output: binary is shown as `base64:...`. */
export function textBytes(bytes: Buffer | null): string {
  if (bytes === null) return 'null';
  return isUtf8(bytes) ? JSON.stringify(bytes.toString('utf8')) : `base64:${bytes.toString('base64')}`;
}

export function recordJson(record: LogRecord, topic: string | null, partition: number | null, raw: boolean): string {
  return JSON.stringify({
    topic,
    partition,
    offset: record.offset,
    timestamp: record.timestamp,
    timestampType: record.timestampType,
    key: jsonBytes(record.key, raw),
    value: jsonBytes(record.value, raw),
    headers: record.headers.map((h) => ({ key: h.key, value: jsonBytes(h.value, raw) })),
  });
}
