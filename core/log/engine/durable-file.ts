import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

/** fsyncs a directory so that a rename or a new file in it survives a power cut. */
export function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
    if ((error as NodeJS.ErrnoException).code !== 'EISDIR' && (error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Replaces a file atomically, as Kafka writes its checkpoints: write `<name>.tmp`, fsync it, rename
 * it over the old one, fsync the directory. A crash leaves either the old or the new content.
 */
export function writeFileAtomic(file: string, content: string | Buffer): void {
  // `<name>.tmp` as Kafka names it, shortened when the name is near the 255-byte limit.
  const base = path.basename(file);
  const tmp = path.join(path.dirname(file), `${base.length > 240 ? base.slice(0, 240) : base}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  fsyncDirectory(path.dirname(file));
}
