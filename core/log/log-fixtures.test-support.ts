/**
 * Test-only helpers for the read side of the log format: where the real Kafka fixtures live,
 * temporary copies of them, and an independent reader of raw batch bytes. The raw reader is
 * written from the reference (kafka-format.md sections 2.1 and 2.3) without touching the code
 * under test, so that fixture figures are derived twice, two ways.
 */
import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { LogFormatError } from './errors';

/** The real Kafka log directories in `shared/`, which sits beside the repository checkout. */
export const FIXTURE_LOGS = process.env['TAPEDECK_FIXTURES'] ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'kafka-logs');

export function fixturePath(...parts: string[]): string {
  return join(FIXTURE_LOGS, ...parts);
}

/** Runs `fn` and returns the LogFormatError it throws; fails on any other outcome. */
export function formatError(fn: () => unknown): LogFormatError {
  try {
    fn();
  } catch (error) {
    if (error instanceof LogFormatError) return error;
    throw error;
  }
  throw new Error('expected a LogFormatError, but nothing was thrown');
}

function makeWritable(path: string): void {
  const stat = statSync(path);
  chmodSync(path, stat.mode | 0o200);
  if (stat.isDirectory()) for (const name of readdirSync(path)) makeWritable(join(path, name));
}

/**
 * Temporary directories removed after each test of the file that calls this (at module level or
 * inside a describe). Fixtures are copied, never modified in place.
 */
export function useTempDirs(): { make(): string; copyFixture(relative: string): string } {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const make = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapedeck-log-test-'));
    dirs.push(dir);
    return dir;
  };
  return {
    make,
    copyFixture(relative: string) {
      const dir = join(make(), relative.replace(/\//g, '_'));
      cpSync(fixturePath(relative), dir, { recursive: true });
      makeWritable(dir);
      return dir;
    },
  };
}

/** Writes a `.log` named after its base offset; returns its path. */
export function writeLog(dir: string, baseOffset: number, ...batches: Buffer[]): string {
  const path = join(dir, `${String(baseOffset).padStart(20, '0')}.log`);
  writeFileSync(path, Buffer.concat(batches));
  return path;
}

export interface RawBatch {
  readonly position: number;
  readonly size: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly partitionLeaderEpoch: number;
  readonly magic: number;
  readonly attributes: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly producerId: number;
  readonly baseSequence: number;
  readonly recordCount: number;
}

/** Walks a v2 `.log` by its length fields alone. Throws on anything that is not a clean v2 file. */
export function walkRawBatches(bytes: Buffer): RawBatch[] {
  const out: RawBatch[] = [];
  for (let pos = 0; pos < bytes.length; ) {
    const size = bytes.readInt32BE(pos + 8) + 12;
    const magic = bytes.readInt8(pos + 16);
    if (magic !== 2 || size < 61 || pos + size > bytes.length) throw new Error(`raw walk: no v2 batch at byte ${pos}`);
    const baseOffset = Number(bytes.readBigInt64BE(pos));
    out.push({
      position: pos,
      size,
      baseOffset,
      lastOffset: baseOffset + bytes.readInt32BE(pos + 23),
      partitionLeaderEpoch: bytes.readInt32BE(pos + 12),
      magic,
      attributes: bytes.readInt16BE(pos + 21),
      baseTimestamp: Number(bytes.readBigInt64BE(pos + 27)),
      maxTimestamp: Number(bytes.readBigInt64BE(pos + 35)),
      producerId: Number(bytes.readBigInt64BE(pos + 43)),
      baseSequence: bytes.readInt32BE(pos + 53),
      recordCount: bytes.readInt32BE(pos + 57),
    });
    pos += size;
  }
  return out;
}

export interface RawRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly keyLength: number;
  readonly valueLength: number;
  readonly value: Buffer | null;
}

/** Decodes the records of one uncompressed, CreateTime v2 batch with BigInt varints. */
export function rawRecords(bytes: Buffer, batch: RawBatch): RawRecord[] {
  let pos = batch.position + 61;
  const varlong = (): number => {
    let raw = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = bytes[pos++]!;
      raw |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return Number((raw >> 1n) ^ -(raw & 1n));
    }
  };
  const records: RawRecord[] = [];
  for (let i = 0; i < batch.recordCount; i++) {
    const length = varlong();
    const end = pos + length;
    pos++; // attributes
    const timestamp = batch.baseTimestamp + varlong();
    const offset = batch.baseOffset + varlong();
    const keyLength = varlong();
    pos += Math.max(keyLength, 0);
    const valueLength = varlong();
    const value = valueLength < 0 ? null : bytes.subarray(pos, pos + valueLength);
    pos = end;
    records.push({ offset, timestamp, keyLength, valueLength, value });
  }
  if (pos !== batch.position + batch.size) throw new Error(`raw records of the batch at ${batch.position} end at ${pos}`);
  return records;
}
