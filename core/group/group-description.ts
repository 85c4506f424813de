/**
 * What DescribeGroups and ListGroups show of a group, with the consumer-protocol bytes decoded
 * where the group speaks it, so the explorer and the wire listener describe groups alike.
 */
import type { ClassicGroup } from './classic-group';
import { decodeMemberProtocol } from './consumer-protocol';
import type { GroupDescription, ListedGroup } from './group-coordinator-api';

export function describeClassicGroup(group: ClassicGroup): GroupDescription {
  const protocolType = group.protocolType ?? '';
  return {
    groupId: group.groupId,
    state: group.state,
    protocolType,
    protocol: group.protocolName ?? '',
    generationId: group.generationId,
    leader: group.leaderId,
    members: [...group.members.values()].map((m) => {
      const metadata = m.metadataFor(group.protocolName);
      const decoded = decodeMemberProtocol(protocolType, metadata, m.assignment);
      return {
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        sessionTimeoutMs: m.sessionTimeoutMs,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        metadata,
        assignment: m.assignment,
        subscription: decoded.subscription,
        decodedAssignment: decoded.assignment,
      };
    }),
  };
}

/** Kafka's answer for a group it does not know. */
export function deadGroupDescription(groupId: string): GroupDescription {
  return { groupId, state: 'Dead', protocolType: '', protocol: '', generationId: -1, leader: null, members: [] };
}

export function listedGroup(group: ClassicGroup): ListedGroup {
  return { groupId: group.groupId, protocolType: group.protocolType ?? '', state: group.state };
}
