import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPACTION_CONFIG, compactionConfig, compactionConfigFromTopic } from './compaction-config';

describe('compaction settings', () => {
  it("defaults to Kafka's topic defaults", () => {
    expect(compactionConfig()).toEqual({
      deleteRetentionMs: 86_400_000,
      minCompactionLagMs: 0,
      indexIntervalBytes: 4096,
      maxSegmentBytes: 1_073_741_824,
    });
    expect(DEFAULT_COMPACTION_CONFIG).toEqual(compactionConfig());
  });

  it('applies overrides and ignores undefined ones', () => {
    expect(compactionConfig({ deleteRetentionMs: 5, maxSegmentBytes: undefined })).toMatchObject({ deleteRetentionMs: 5, maxSegmentBytes: 1_073_741_824 });
  });

  it('names the Kafka setting when a value is out of range', () => {
    expect(() => compactionConfig({ deleteRetentionMs: -1 })).toThrow(/delete\.retention\.ms \(deleteRetentionMs\) must be an integer >= 0, got -1/);
    expect(() => compactionConfig({ maxSegmentBytes: 10 })).toThrow(/segment\.bytes/);
    expect(() => compactionConfig({ maxSegmentBytes: 2 ** 31 })).toThrow(/segment\.bytes .* 32 bits/);
    expect(() => compactionConfig({ minCompactionLagMs: 1.5 })).toThrow(/min\.compaction\.lag\.ms/);
  });

  it("reads Kafka's property names", () => {
    expect(compactionConfigFromTopic({ 'delete.retention.ms': '1000', 'segment.bytes': 2048, 'cleanup.policy': 'compact' })).toEqual({
      ...DEFAULT_COMPACTION_CONFIG,
      deleteRetentionMs: 1000,
      maxSegmentBytes: 2048,
    });
    expect(() => compactionConfigFromTopic({ 'index.interval.bytes': 'lots' })).toThrow(/index\.interval\.bytes must be a number, got 'lots'/);
  });
});
