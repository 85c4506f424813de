import { ErrorCode, errorCodeName } from '../kafka/protocol/error-codes';

/**
 * The Kafka error codes the group coordinator answers with (`Errors.java`), taken from the protocol's
 * table so the wire protocol can put them in responses unchanged.
 */
export const GroupErrorCode = {
  NONE: ErrorCode.NONE,
  UNKNOWN_SERVER_ERROR: ErrorCode.UNKNOWN_SERVER_ERROR,
  OFFSET_METADATA_TOO_LARGE: ErrorCode.OFFSET_METADATA_TOO_LARGE,
  COORDINATOR_NOT_AVAILABLE: ErrorCode.COORDINATOR_NOT_AVAILABLE,
  NOT_COORDINATOR: ErrorCode.NOT_COORDINATOR,
  ILLEGAL_GENERATION: ErrorCode.ILLEGAL_GENERATION,
  INCONSISTENT_GROUP_PROTOCOL: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  INVALID_GROUP_ID: ErrorCode.INVALID_GROUP_ID,
  UNKNOWN_MEMBER_ID: ErrorCode.UNKNOWN_MEMBER_ID,
  INVALID_SESSION_TIMEOUT: ErrorCode.INVALID_SESSION_TIMEOUT,
  REBALANCE_IN_PROGRESS: ErrorCode.REBALANCE_IN_PROGRESS,
  MEMBER_ID_REQUIRED: ErrorCode.MEMBER_ID_REQUIRED,
} as const;

export type GroupErrorCode = (typeof GroupErrorCode)[keyof typeof GroupErrorCode];

/** "REBALANCE_IN_PROGRESS (27)", for messages. */
export const groupErrorName = errorCodeName;
