/**
 * Errors and warnings about bytes on disk. Each names where the problem is (file and byte
 * position) so a user can find it with a hex editor or `tapedeck dump`, and says what was wrong.
 */

/** Where in a file something was found. `file` is a path as the user gave it, or a label such as "<buffer>". */
export interface ByteLocation {
  readonly file: string;
  readonly position: number;
}

export function describeLocation(where: ByteLocation): string {
  return `${where.file} at byte ${where.position}`;
}

/** Bytes that do not decode as what they should be. Nothing is returned for them. */
export class LogFormatError extends Error {
  readonly file: string;
  readonly position: number;
  readonly reason: string;

  constructor(where: ByteLocation, reason: string, options?: { cause?: unknown }) {
    super(`${describeLocation(where)}: ${reason}`, options);
    this.name = 'LogFormatError';
    this.file = where.file;
    this.position = where.position;
    this.reason = reason;
  }
}

/**
 * Something the reader worked around rather than failed on: a torn last batch (the valid prefix is
 * still returned), an index that did not match its log and was rebuilt, and so on.
 */
export interface LogWarning extends ByteLocation {
  readonly message: string;
}

/** A warning about a whole file (a missing index, say) has position -1 and names only the file. */
export function formatWarning(warning: LogWarning): string {
  return `${warning.position < 0 ? warning.file : describeLocation(warning)}: ${warning.message}`;
}
