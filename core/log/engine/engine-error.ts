/**
 * An engine refusal with a stable code, so every front end (CLI, host API, Kafka listener) can map
 * it to its own form: an exit code, a typed API error, a Kafka error code.
 */
export type EngineErrorCode =
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'TOPIC_ALREADY_EXISTS'
  | 'INVALID_TOPIC'
  | 'INVALID_PARTITIONS'
  | 'INVALID_CONFIG'
  | 'MESSAGE_TOO_LARGE'
  | 'INVALID_RECORD'
  | 'CORRUPT_MESSAGE'
  | 'OFFSET_OUT_OF_RANGE'
  | 'STORAGE_ERROR'
  | 'OUT_OF_ORDER_SEQUENCE_NUMBER'
  | 'INVALID_PRODUCER_EPOCH'
  | 'READ_ONLY'
  | 'CLOSED';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EngineError';
  }
}
