import { BATCH_HEADER_SIZE, BatchField, LOG_OVERHEAD, MAGIC_PROBE_SIZE } from '../batch/batch-layout';
import { readInt64 } from '../batch/int64';
import type { LogBatch } from '../batch/log-record';
import { RecordBatchV2 } from '../batch/record-batch';
import { LogFormatError, type LogWarning } from '../errors';
import { readLegacyMessage } from '../legacy/legacy-message';
import { type BatchHeader, headerOf, parseV2Header } from './batch-header';
import { HEADER_WINDOW, type SegmentFile } from './segment-file';

/** The smallest legacy message (magic 0) after its offset and size fields; Kafka's LegacyRecord minimum. */
const MIN_MESSAGE_SIZE = 14;

export interface ScanOptions {
  /** Verify each batch's CRC as it is read (on by default). */
  readonly verifyChecksums?: boolean;
  /** Receives what the scan worked around: a torn or zero-filled tail. */
  readonly onWarning?: (warning: LogWarning) => void;
}

type Step = { kind: 'end' } | { kind: 'batch'; size: number; magic: number; baseOffset: number };

/**
 * Decides what lies at `position`: the end of the log, a torn or preallocated tail (reported as a
 * warning; the valid prefix stands), or the start of a batch whose bytes are all present.
 * Anything else is corruption and throws, naming the file and byte.
 */
function probe(file: SegmentFile, position: number, onWarning?: (w: LogWarning) => void): Step {
  const remaining = file.size - position;
  if (remaining <= 0) return { kind: 'end' };
  const zeroTail = () => {
    const found = isZeroFilledTail(file, position);
    if (found) onWarning?.({ file: file.path, position, message: `${remaining} zero bytes at the end of the log (preallocated space or an unfinished write) were ignored` });
    return found;
  };
  if (remaining < MAGIC_PROBE_SIZE) {
    if (!zeroTail()) onWarning?.({ file: file.path, position, message: `torn tail: ${remaining} trailing bytes are too few for a batch header and were ignored` });
    return { kind: 'end' };
  }
  const head = file.read(position, MAGIC_PROBE_SIZE, HEADER_WINDOW);
  const length = head.readInt32BE(BatchField.batchLength);
  const magic = head.readInt8(BatchField.magic);
  if (length < MIN_MESSAGE_SIZE) {
    if (zeroTail()) return { kind: 'end' };
    throw new LogFormatError({ file: file.path, position: position + BatchField.batchLength }, `impossible batch length ${length} (the minimum is ${MIN_MESSAGE_SIZE})`);
  }
  if (magic < 0 || magic > 2) {
    throw new LogFormatError({ file: file.path, position: position + BatchField.magic }, `unknown magic byte ${magic}: not a Kafka log, or corrupt here`);
  }
  const size = length + LOG_OVERHEAD;
  if (size > remaining) {
    onWarning?.({
      file: file.path,
      position,
      message: `torn tail: the last batch declares ${size} bytes but only ${remaining} remain; the valid prefix up to byte ${position} is used`,
    });
    return { kind: 'end' };
  }
  if (magic === 2 && size < BATCH_HEADER_SIZE) {
    throw new LogFormatError({ file: file.path, position: position + BatchField.batchLength }, `batch length ${length} is below the v2 minimum of ${BATCH_HEADER_SIZE - LOG_OVERHEAD}`);
  }
  return { kind: 'batch', size, magic, baseOffset: readInt64(head, BatchField.baseOffset) };
}

function isZeroFilledTail(file: SegmentFile, position: number): boolean {
  for (let pos = position; pos < file.size; pos += HEADER_WINDOW) {
    const chunk = file.read(pos, HEADER_WINDOW, HEADER_WINDOW);
    for (let i = 0; i < chunk.length; i++) if (chunk[i] !== 0) return false;
  }
  return true;
}

function checkOrder(file: SegmentFile, batch: { lastOffset: number; position: number }, previousLast: number): void {
  if (batch.lastOffset <= previousLast) {
    throw new LogFormatError(
      { file: file.path, position: batch.position },
      `offsets go backwards: batch ends at offset ${batch.lastOffset} after a batch that ended at ${previousLast}`,
    );
  }
}

/** Every batch from `position` to the end of the file, records decodable on demand. */
export function* scanBatches(file: SegmentFile, position = 0, options: ScanOptions = {}): Generator<LogBatch> {
  const verify = options.verifyChecksums ?? true;
  let pos = position;
  let previousLast = -1;
  for (;;) {
    const step = probe(file, pos, options.onWarning);
    if (step.kind === 'end') return;
    const bytes = file.read(pos, step.size);
    const batch: LogBatch = step.magic === 2 ? new RecordBatchV2(bytes, pos, file.path) : readLegacyMessage(bytes, pos, file.path);
    if (verify) batch.verifyChecksum();
    checkOrder(file, batch, previousLast);
    previousLast = batch.lastOffset;
    yield batch;
    pos += step.size;
  }
}

/**
 * Every batch header from `position` on, reading only the 61 header bytes of each v2 batch.
 * Checksums are not verified here (that needs the whole batch); legacy messages are read whole.
 */
export function* scanBatchHeaders(file: SegmentFile, position = 0, options: ScanOptions = {}): Generator<BatchHeader> {
  let pos = position;
  let previousLast = -1;
  for (;;) {
    const step = probe(file, pos, options.onWarning);
    if (step.kind === 'end') return;
    let header: BatchHeader;
    if (step.magic === 2) {
      header = parseV2Header(file.read(pos, BATCH_HEADER_SIZE, HEADER_WINDOW), pos);
    } else {
      header = headerOf(readLegacyMessage(file.read(pos, step.size), pos, file.path));
    }
    checkOrder(file, header, previousLast);
    previousLast = header.lastOffset;
    yield header;
    pos += step.size;
  }
}
