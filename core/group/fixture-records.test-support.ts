/**
 * Test-only: the records of one fixture `.log` file, read with the real segment reader (CRCs
 * checked), in the shape the group projection takes.
 */
import { scanBatches } from '../log/segment/batch-scanner';
import { SegmentFile } from '../log/segment/segment-file';

export { FIXTURE_LOGS } from '../log/log-fixtures.test-support';

export interface FixtureRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export function readFixtureRecords(file: string): FixtureRecord[] {
  const segment = new SegmentFile(file);
  try {
    const records: FixtureRecord[] = [];
    for (const batch of scanBatches(segment)) {
      if (batch.isControl) continue;
      for (const r of batch.records()) records.push({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value });
    }
    return records;
  } finally {
    segment.close();
  }
}
