import type { GroupCoordinator } from '../../group/group-coordinator';
import type { LogEngine } from '../../log/engine/log-engine';
import type { ProducerIdAllocator } from './producer-id-allocator';

/** The single node this listener presents itself as. */
export interface BrokerIdentity {
  readonly nodeId: number;
  /** The address clients are told to connect to (Metadata, FindCoordinator). */
  readonly host: string;
  readonly port: number;
  readonly clusterId: string;
}

/** What request handlers work with. */
export interface ListenerContext {
  readonly engine: LogEngine;
  readonly groups: GroupCoordinator;
  readonly broker: BrokerIdentity;
  readonly producerIds: ProducerIdAllocator;
  readonly autoCreateTopics: boolean;
  readonly defaultPartitions: number;
  /** Aborted when the connection that sent the request closes (ends long polls). */
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
}
