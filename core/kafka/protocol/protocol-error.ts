/**
 * Bytes on a Kafka connection that do not decode (or values that cannot be encoded) as the
 * protocol says. The message names what was being read, down to the field path of the message,
 * and the byte offset within the frame, so a bad client (or a bad schema table here) can be found
 * from the log line alone: "MetadataRequest v9 Topics[0].Name: compact string of 300 bytes at
 * byte 14 runs past the 20-byte frame".
 */
export class ProtocolError extends Error {
  /** The message being read or written ("MetadataRequest v9", "request header v2"), or "". */
  readonly context: string;
  /** The field path inside it ("Topics[0].Name"), or "". */
  readonly field: string;
  /** Byte offset within the frame (after the size prefix), or -1 when not about a byte. */
  readonly position: number;
  readonly reason: string;

  constructor(where: { context?: string; field?: string; position?: number }, reason: string, options?: { cause?: unknown }) {
    const context = where.context ?? '';
    const field = where.field ?? '';
    const prefix = [context, field].filter((part) => part !== '').join(' ');
    super(prefix === '' ? reason : `${prefix}: ${reason}`, options);
    this.name = 'ProtocolError';
    this.context = context;
    this.field = field;
    this.position = where.position ?? -1;
    this.reason = reason;
  }
}
