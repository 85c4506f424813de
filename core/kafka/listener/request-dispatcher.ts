import { apiVersionsResponseBody, type ResponseInput } from '../protocol/api-registry';
import { ApiKey } from '../protocol/api-keys';
import type { DecodedRequest } from '../protocol/frame';
import { handleCreateTopics, handleDeleteTopics, handleDescribeConfigs, handleInitProducerId } from './handlers/admin-handlers';
import { handleFetch } from './handlers/fetch-handler';
import {
  handleDescribeGroups,
  handleFindCoordinator,
  handleHeartbeat,
  handleJoinGroup,
  handleLeaveGroup,
  handleListGroups,
  handleOffsetCommit,
  handleOffsetFetch,
  handleSyncGroup,
  type RequestOrigin,
} from './handlers/group-handlers';
import { handleListOffsets } from './handlers/list-offsets-handler';
import { handleMetadata } from './handlers/metadata-handler';
import { CloseConnection, handleProduce } from './handlers/produce-handler';

export { CloseConnection };
import type { ListenerContext } from './listener-context';

/** A response body, null when the request gets none (Produce with acks=0), or a reason to close. */
export type HandlerResult = ResponseInput<DecodedRequest['apiKey']> | CloseConnection | null;

/** Routes a decoded request to its handler. Every key the codec decodes has a handler here. */
export async function dispatch(ctx: ListenerContext, request: DecodedRequest, origin: RequestOrigin): Promise<HandlerResult> {
  switch (request.apiKey) {
    case ApiKey.ApiVersions:
      return apiVersionsResponseBody();
    case ApiKey.Metadata:
      return handleMetadata(ctx, request.body, request.apiVersion);
    case ApiKey.Produce:
      return handleProduce(ctx, request.body);
    case ApiKey.Fetch:
      return handleFetch(ctx, request.body);
    case ApiKey.ListOffsets:
      return handleListOffsets(ctx, request.body);
    case ApiKey.FindCoordinator:
      return handleFindCoordinator(ctx, request.body);
    case ApiKey.JoinGroup:
      return handleJoinGroup(ctx, request.body, origin);
    case ApiKey.SyncGroup:
      return handleSyncGroup(ctx, request.body);
    case ApiKey.Heartbeat:
      return handleHeartbeat(ctx, request.body);
    case ApiKey.LeaveGroup:
      return handleLeaveGroup(ctx, request.body);
    case ApiKey.OffsetCommit:
      return handleOffsetCommit(ctx, request.body);
    case ApiKey.OffsetFetch:
      return handleOffsetFetch(ctx, request.body, request.apiVersion);
    case ApiKey.ListGroups:
      return handleListGroups(ctx);
    case ApiKey.DescribeGroups:
      return handleDescribeGroups(ctx, request.body);
    case ApiKey.CreateTopics:
      return handleCreateTopics(ctx, request.body);
    case ApiKey.DeleteTopics:
      return handleDeleteTopics(ctx, request.body);
    case ApiKey.DescribeConfigs:
      return handleDescribeConfigs(ctx, request.body);
    case ApiKey.InitProducerId:
      return handleInitProducerId(ctx, request.body);
  }
}
