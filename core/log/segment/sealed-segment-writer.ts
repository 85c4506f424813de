import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assignBaseOffset } from '../batch/record-batch-encoder';
import { parseV2Header } from './batch-header';
import { IndexBuilder } from './index-builder';
import { segmentFileName } from './log-segment';

/**
 * Writes one complete, sealed segment (`.log`, `.index`, `.timeindex`) from encoded v2 batches,
 * assigning consecutive base offsets from `baseOffset` as a broker does. The indexes follow
 * Kafka's interval rule and are trimmed, as a broker leaves a segment it has rolled.
 * Used to generate workspaces (the demo, benchmarks, test data); live appends belong to the engine.
 * Returns the next offset after the segment.
 */
export function writeSealedSegment(dir: string, baseOffset: number, batches: readonly Buffer[]): number {
  mkdirSync(dir, { recursive: true });
  const builder = new IndexBuilder(baseOffset);
  let position = 0;
  let nextOffset = baseOffset;
  for (const batch of batches) {
    assignBaseOffset(batch, nextOffset, 0);
    const header = parseV2Header(batch, position);
    builder.add(header);
    nextOffset = header.lastOffset + 1;
    position += batch.length;
  }
  const { offsetIndex, timeIndex } = builder.seal();
  writeFileSync(path.join(dir, segmentFileName(baseOffset, '.log')), Buffer.concat(batches, position));
  writeFileSync(path.join(dir, segmentFileName(baseOffset, '.index')), offsetIndex.toBuffer());
  writeFileSync(path.join(dir, segmentFileName(baseOffset, '.timeindex')), timeIndex.toBuffer());
  return nextOffset;
}
