/**
 * A counting semaphore whose waiters are served by band (0 first), FIFO within a band. This is what makes a
 * realtime message overtake a batch backlog inside one consumer. Hand-written because the maintained queue
 * libraries with priorities are ESM-only and the waiters need a deadline and an abort.
 */
export class PrioritySemaphore {
  private available: number;
  private readonly waiters: Array<Array<(granted: boolean) => void>>;

  constructor(
    readonly capacity: number,
    bands: number,
  ) {
    if (capacity < 1) throw new RangeError('capacity must be at least 1');
    this.available = capacity;
    this.waiters = Array.from({ length: bands }, () => []);
  }

  get inUse(): number {
    return this.capacity - this.available;
  }

  waiting(band?: number): number {
    return band === undefined ? this.waiters.reduce((n, q) => n + q.length, 0) : (this.waiters[band]?.length ?? 0);
  }

  /** Resolves true once a slot is held, false if `timeoutMs` passed first. */
  acquire(band: number, timeoutMs: number): Promise<boolean> {
    if (this.available > 0 && this.noWaiterAbove(band + 1)) {
      this.available--;
      return Promise.resolve(true);
    }
    const queue = this.waiters[Math.min(band, this.waiters.length - 1)]!;
    return new Promise((resolve) => {
      const waiter = (granted: boolean) => {
        clearTimeout(timer);
        resolve(granted);
      };
      const timer = setTimeout(() => {
        const i = queue.indexOf(waiter);
        if (i >= 0) queue.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      queue.push(waiter);
    });
  }

  release(): void {
    for (const queue of this.waiters) {
      const next = queue.shift();
      if (next) {
        next(true);
        return;
      }
    }
    if (this.available >= this.capacity) throw new Error('semaphore released more often than acquired');
    this.available++;
  }

  /** Wakes every waiter with false (shutdown). */
  abortWaiters(): void {
    for (const queue of this.waiters) for (const w of queue.splice(0)) w(false);
  }

  private noWaiterAbove(bandExclusiveEnd: number): boolean {
    for (let b = 0; b < Math.min(bandExclusiveEnd, this.waiters.length); b++) if (this.waiters[b]!.length > 0) return false;
    return true;
  }
}
