import { EngineError, type EngineErrorCode } from '../../log/engine/engine-error';
import { ErrorCode } from '../protocol/error-codes';

const BY_ENGINE_CODE: Record<EngineErrorCode, number> = {
  UNKNOWN_TOPIC_OR_PARTITION: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  TOPIC_ALREADY_EXISTS: ErrorCode.TOPIC_ALREADY_EXISTS,
  INVALID_TOPIC: ErrorCode.INVALID_TOPIC_EXCEPTION,
  INVALID_PARTITIONS: ErrorCode.INVALID_PARTITIONS,
  INVALID_CONFIG: ErrorCode.INVALID_CONFIG,
  MESSAGE_TOO_LARGE: ErrorCode.MESSAGE_TOO_LARGE,
  INVALID_RECORD: ErrorCode.INVALID_RECORD,
  CORRUPT_MESSAGE: ErrorCode.CORRUPT_MESSAGE,
  OFFSET_OUT_OF_RANGE: ErrorCode.OFFSET_OUT_OF_RANGE,
  OUT_OF_ORDER_SEQUENCE_NUMBER: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  INVALID_PRODUCER_EPOCH: ErrorCode.INVALID_PRODUCER_EPOCH,
  STORAGE_ERROR: ErrorCode.UNKNOWN_SERVER_ERROR,
  READ_ONLY: ErrorCode.UNKNOWN_SERVER_ERROR,
  CLOSED: ErrorCode.UNKNOWN_SERVER_ERROR,
};

/** The Kafka error code and message for anything a handler caught. */
export function kafkaError(error: unknown): { code: number; message: string } {
  if (error instanceof EngineError) return { code: BY_ENGINE_CODE[error.code], message: error.message };
  return { code: ErrorCode.UNKNOWN_SERVER_ERROR, message: error instanceof Error ? error.message : String(error) };
}
