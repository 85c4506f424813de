import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../log/engine/durable-file';

/** Ids are reserved on disk in blocks, so a restart never hands out an id twice. */
const BLOCK = 1000;

/**
 * Producer ids for InitProducerId. An id must never be reused, or a new producer could be taken
 * for an old one's retry; the next free block is kept in `<logdir>/.tapedeck/producer-ids`.
 */
export class ProducerIdAllocator {
  private next: number;
  private reservedUpTo: number;
  private readonly file: string;

  constructor(logDir: string) {
    this.file = path.join(logDir, '.tapedeck', 'producer-ids');
    const stored = existsSync(this.file) ? Number(readFileSync(this.file, 'utf8').trim()) : 0;
    this.next = Number.isSafeInteger(stored) && stored >= 0 ? stored : 0;
    this.reservedUpTo = this.next;
  }

  allocate(): number {
    if (this.next >= this.reservedUpTo) {
      this.reservedUpTo = this.next + BLOCK;
      mkdirSync(path.dirname(this.file), { recursive: true });
      writeFileAtomic(this.file, `${this.reservedUpTo}\n`);
    }
    return this.next++;
  }
}
