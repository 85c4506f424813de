/**
 * Reads the coordinator's state back from its store: `__consumer_offsets` folded by
 * CommittedOffsetsProjection, the same projection the explorer shows, so what the coordinator
 * resumes from is what a user sees.
 */
import { CommittedOffsetsProjection } from './committed-offsets';
import type { ConsumerGroupState, OffsetsProjectionWarning } from './committed-offsets';
import type { GroupStore } from './group-store';
import { decodeGroupMetadataValue, decodeOffsetsTopicKey, OffsetsRecordError } from './offsets-topic-records';
import type { GroupMemberMetadata } from './offsets-topic-records';

export interface RestoredGroup {
  readonly state: ConsumerGroupState;
  /**
   * The members of the last GroupMetadata record with their raw subscription and assignment bytes,
   * which the projection only keeps decoded; empty without metadata.
   */
  readonly members: readonly GroupMemberMetadata[];
}

export function restoreGroups(store: GroupStore): { groups: RestoredGroup[]; warnings: OffsetsProjectionWarning[] } {
  const projection = new CommittedOffsetsProjection();
  // The last GroupMetadata value per group that decodes, as the projection keeps it, but raw.
  const rawMembers = new Map<string, readonly GroupMemberMetadata[]>();
  for (const record of store.loadAll()) {
    projection.apply(record, `__consumer_offsets-${record.partition}`);
    if (record.key === null) continue;
    try {
      const key = decodeOffsetsTopicKey(record.key);
      if (key.kind !== 'group') continue;
      if (record.value === null) rawMembers.delete(key.group);
      else rawMembers.set(key.group, decodeGroupMetadataValue(record.value).members);
    } catch (error) {
      // The projection has already turned it into a warning.
      if (!(error instanceof OffsetsRecordError)) throw error;
    }
  }
  const groups = projection.groups().map((state) => ({
    state,
    members: state.hasMetadata ? (rawMembers.get(state.groupId) ?? []) : [],
  }));
  return { groups, warnings: projection.warnings() };
}
