/**
 * Time as the group coordinator and consumer see it. Injected, so tests drive session timeouts and
 * rebalance delays with a manual clock instead of waiting for them.
 */

/** Whatever the clock's setTimeout returns; only ever handed back to its clearTimeout. */
export type TimerHandle = unknown;

export interface GroupClock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: GroupClock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** One pending timer that re-arming replaces, so a stale callback can never fire after a reset. */
export class TimerSlot {
  private handle: TimerHandle | null = null;

  constructor(private readonly clock: GroupClock) {}

  set(delayMs: number, callback: () => void): void {
    this.clear();
    const handle = this.clock.setTimeout(() => {
      if (this.handle !== handle) return;
      this.handle = null;
      callback();
    }, Math.max(0, delayMs));
    this.handle = handle;
  }

  clear(): void {
    if (this.handle === null) return;
    this.clock.clearTimeout(this.handle);
    this.handle = null;
  }

  get active(): boolean {
    return this.handle !== null;
  }
}
