/**
 * The Kafka error codes the group coordinator answers with (`Errors.java`), as numbers, so the wire
 * protocol can put them in responses unchanged.
 */
export const GroupErrorCode = {
  NONE: 0,
  UNKNOWN_SERVER_ERROR: -1,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  MEMBER_ID_REQUIRED: 79,
} as const;

export type GroupErrorCode = (typeof GroupErrorCode)[keyof typeof GroupErrorCode];

const NAMES = new Map<number, string>(Object.entries(GroupErrorCode).map(([name, code]) => [code, name]));

/** "REBALANCE_IN_PROGRESS (27)", for messages. */
export function groupErrorName(code: number): string {
  return `${NAMES.get(code) ?? 'UNKNOWN'} (${code})`;
}
