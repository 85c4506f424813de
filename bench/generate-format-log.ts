import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { encodeRecordBatch, type RecordToEncode } from '../core/log/batch/record-batch-encoder';
import { writeSealedSegment } from '../core/log/segment/sealed-segment-writer';

export const RECORDS = 1_000_000;
export const KEY_BYTES = 16;
export const VALUE_BYTES = 100;
const BATCH = 1000;
/** Segments roll at this many batches (~120 MiB), like a broker with segment.bytes near 128 MiB. */
const BATCHES_PER_SEGMENT = 1000;

/** Writes the benchmark log: 1,000,000 records, 16-byte keys, 100-byte random values, uncompressed. */
export function generateLog(dir: string): void {
  const partitionDir = path.join(dir, 'bench-0');
  let batches: Buffer[] = [];
  let segmentBase = 0;
  let nextOffset = 0;
  const start = Date.now();
  for (let b = 0; b < RECORDS / BATCH; b++) {
    const keys = randomBytes(KEY_BYTES * BATCH);
    const values = randomBytes(VALUE_BYTES * BATCH);
    const records: RecordToEncode[] = Array.from({ length: BATCH }, (_, i) => ({
      key: keys.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES),
      value: values.subarray(i * VALUE_BYTES, (i + 1) * VALUE_BYTES),
      timestamp: start + b * BATCH + i,
    }));
    batches.push(encodeRecordBatch({ baseOffset: 0, records }));
    if (batches.length === BATCHES_PER_SEGMENT) {
      nextOffset = writeSealedSegment(partitionDir, segmentBase, batches);
      segmentBase = nextOffset;
      batches = [];
    }
  }
  if (batches.length) writeSealedSegment(partitionDir, segmentBase, batches);
}


// Run as a script (by the format suite, in a child process): write the log into the given folder.
if (process.argv[1]?.endsWith('generate-format-log.ts') && process.argv[2]) generateLog(process.argv[2]);
