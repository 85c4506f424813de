import { type FSWatcher, watch } from 'node:fs';
import type { PartitionLog, ReadRecord } from './partition-log';

export interface TailOptions {
  /** How often to look for new data when the file system sends no change events. */
  readonly pollMs?: number;
}

/**
 * Follows a partition that another process may be writing: yields every record from
 * `fromOffset` on, then waits at the log end for more. Changes are noticed through a watch on the
 * partition folder (segment rolls and appends) with polling as a fallback, since watches are
 * unreliable on network file systems. Ends when the signal aborts.
 */
export async function* tailPartition(log: PartitionLog, fromOffset: number, signal: AbortSignal, options: TailOptions = {}): AsyncGenerator<ReadRecord> {
  const pollMs = options.pollMs ?? 250;
  let wake: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(log.dir, () => wake?.());
    watcher.on('error', () => undefined);
  } catch {
    // No watch support here: polling alone still works.
  }
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  let next = fromOffset;
  try {
    while (!signal.aborted) {
      let progressed = false;
      // Control records are read too so the position moves past transaction markers.
      for (const item of log.records({ fromOffset: next, includeControl: true, maxRecords: 1000 })) {
        progressed = true;
        next = item.record.offset + 1;
        if (!item.batch.isControl) yield item;
        if (signal.aborted) return;
      }
      if (!progressed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        log.refresh();
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    watcher?.close();
  }
}
