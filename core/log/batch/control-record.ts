import type { ControlRecordType } from './log-record';

const TYPES: readonly ControlRecordType[] = [
  'ABORT',
  'COMMIT',
  'LEADER_CHANGE',
  'SNAPSHOT_HEADER',
  'SNAPSHOT_FOOTER',
  'KRAFT_VERSION',
  'KRAFT_VOTERS',
];

export const CONTROL_KEY_SIZE = 4;

/**
 * The type of a control record from its 4-byte key (i16 version, i16 type). Unknown types are
 * tolerated, as Kafka does, so that newer brokers' markers still read; a short key or a negative
 * version is corrupt and returns an explanation instead.
 */
export function controlRecordType(key: Buffer | null): ControlRecordType | { error: string } {
  if (!key || key.length < CONTROL_KEY_SIZE) {
    return { error: `control record key has ${key ? key.length : 'no'} bytes, expected ${CONTROL_KEY_SIZE}` };
  }
  const version = key.readInt16BE(0);
  if (version < 0) return { error: `control record key version ${version} is negative` };
  const type = key.readInt16BE(2);
  return TYPES[type] ?? `UNKNOWN(${type})`;
}

export function encodeControlKey(type: 'ABORT' | 'COMMIT'): Buffer {
  const key = Buffer.alloc(CONTROL_KEY_SIZE);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(TYPES.indexOf(type), 2);
  return key;
}

/** The value of a COMMIT or ABORT marker: i16 version 0, i32 coordinator epoch. */
export function encodeEndTransactionValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

export function decodeCoordinatorEpoch(value: Buffer | null): number | undefined {
  return value && value.length >= 6 ? value.readInt32BE(2) : undefined;
}
