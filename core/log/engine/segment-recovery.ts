import { closeSync, ftruncateSync, openSync } from 'node:fs';
import path from 'node:path';
import { LogFormatError, type LogWarning } from '../errors';
import type { BatchHeader } from '../segment/batch-header';
import { headerOf } from '../segment/batch-header';
import { scanBatchHeaders, scanBatches } from '../segment/batch-scanner';
import { IndexBuilder } from '../segment/index-builder';
import { segmentFileName } from '../segment/log-segment';
import { SegmentFile } from '../segment/segment-file';
import { writeFileAtomic } from './durable-file';
import type { AppenderState } from './segment-appender';

export interface SegmentRecovery {
  readonly baseOffset: number;
  /** Bytes of valid batches kept. */
  readonly validBytes: number;
  /** Bytes cut from the end of the log, and why; 0 when nothing was wrong. */
  readonly truncatedBytes: number;
  readonly reason: string | undefined;
  /** The state an appender needs to carry on writing this segment. */
  readonly appender: AppenderState;
}

/**
 * Reads a segment from its first byte and rewrites its indexes, as Kafka's LogSegment.recover:
 * with `verify`, every batch's CRC is checked and the log is cut at the first batch that is torn
 * or invalid; without it (a cleanly closed log) only headers are read. The indexes are rebuilt
 * with Kafka's interval rule; `seal` adds the close-time entry of a segment that will not grow.
 */
export function recoverSegment(
  dir: string,
  baseOffset: number,
  options: { verify: boolean; seal: boolean; indexIntervalBytes: number; onBatch?: (header: BatchHeader) => void },
): SegmentRecovery {
  const logPath = path.join(dir, segmentFileName(baseOffset, '.log'));
  const file = new SegmentFile(logPath);
  const builder = new IndexBuilder(baseOffset, options.indexIntervalBytes);
  let validBytes = 0;
  let lastOffset = baseOffset - 1;
  let firstBatchMaxTimestamp = -1;
  let reason: string | undefined;
  const onWarning = (warning: LogWarning) => {
    reason ??= warning.message;
  };
  const add = (header: BatchHeader) => {
    if (validBytes === 0) firstBatchMaxTimestamp = header.maxTimestamp;
    builder.add(header);
    options.onBatch?.(header);
    validBytes = header.position + header.sizeInBytes;
    lastOffset = header.lastOffset;
  };
  try {
    if (options.verify) for (const batch of scanBatches(file, 0, { verifyChecksums: true, onWarning })) add(headerOf(batch));
    else for (const header of scanBatchHeaders(file, 0, { onWarning })) add(header);
  } catch (error) {
    if (!(error instanceof LogFormatError)) throw error;
    reason = error.message;
  } finally {
    file.close();
  }
  const truncatedBytes = file.size - validBytes;
  if (truncatedBytes > 0) {
    const fd = openSync(logPath, 'r+');
    try {
      ftruncateSync(fd, validBytes);
    } finally {
      closeSync(fd);
    }
  }
  const { offsetIndex, timeIndex } = options.seal ? builder.seal() : builder.build();
  writeFileAtomic(path.join(dir, segmentFileName(baseOffset, '.index')), offsetIndex.toBuffer());
  writeFileAtomic(path.join(dir, segmentFileName(baseOffset, '.timeindex')), timeIndex.toBuffer());
  const rule = builder.snapshot();
  return {
    baseOffset,
    validBytes,
    truncatedBytes,
    reason: truncatedBytes > 0 ? (reason ?? 'bytes after the last valid batch') : undefined,
    appender: {
      size: validBytes,
      lastOffset,
      offsetIndexEntries: rule.offsetEntries,
      lastOffsetIndexRelative: rule.lastOffsetRelative,
      timeIndexEntries: rule.timeEntries,
      lastTimeIndexTimestamp: rule.lastTimeEntryTimestamp,
      maxTimestamp: rule.maxTimestamp,
      offsetOfMaxTimestamp: rule.offsetOfMaxTimestamp,
      firstBatchMaxTimestamp,
      bytesSinceLastIndexEntry: rule.bytesSinceLastEntry,
    },
  };
}
