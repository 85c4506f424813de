/**
 * The assignors a consumer may name as its protocol, under the names Java clients use on the wire,
 * so an in-process consumer and a Java consumer can share a group.
 */
import type { PartitionAssignor } from './assignor';
import { cooperativeStickyAssign } from './cooperative-sticky';
import { rangeAssign } from './range';
import { roundRobinAssign } from './roundrobin';

export type AssignorName = 'range' | 'roundrobin' | 'cooperative-sticky';

/** Eager: every member gives up everything before a rebalance. Cooperative: only what moves. */
export type RebalanceProtocol = 'eager' | 'cooperative';

export const ASSIGNORS: Readonly<Record<AssignorName, { readonly assign: PartitionAssignor; readonly protocol: RebalanceProtocol }>> = {
  range: { assign: rangeAssign, protocol: 'eager' },
  roundrobin: { assign: roundRobinAssign, protocol: 'eager' },
  'cooperative-sticky': { assign: cooperativeStickyAssign, protocol: 'cooperative' },
};

export function isAssignorName(name: string): name is AssignorName {
  return Object.hasOwn(ASSIGNORS, name);
}
