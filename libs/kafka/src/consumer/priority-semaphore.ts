export interface SlotRequest {
  /** 0 is served first. */
  band: number;
  /** Physical topic: waiters are counted per topic so one topic's backlog never gates another's bands. */
  topic: string;
  /** Fair-share key inside a band (the message key, which is the tenant id on request topics). */
  tenant: string;
  /** Aborting withdraws the waiter (revoked partition, shutdown); acquire then resolves false. */
  signal?: AbortSignal;
  /** Optional deadline for the wait; acquire resolves false after it. */
  timeoutMs?: number;
}

interface Waiter {
  grant: (granted: boolean) => void;
}

/** One band's waiters: a FIFO per tenant, served round robin so one tenant's flood cannot fill the band. */
class BandQueue {
  readonly byTenant = new Map<string, Waiter[]>();
  /** Tenants with waiters, in the order they get their next turn. */
  readonly ring: string[] = [];
  size = 0;

  push(tenant: string, waiter: Waiter): void {
    let queue = this.byTenant.get(tenant);
    if (!queue) {
      queue = [];
      this.byTenant.set(tenant, queue);
      this.ring.push(tenant);
    }
    queue.push(waiter);
    this.size++;
  }

  shift(): Waiter | undefined {
    const tenant = this.ring.shift();
    if (tenant === undefined) return undefined;
    const queue = this.byTenant.get(tenant)!;
    const waiter = queue.shift()!;
    if (queue.length > 0) this.ring.push(tenant);
    else this.byTenant.delete(tenant);
    this.size--;
    return waiter;
  }

  remove(tenant: string, waiter: Waiter): boolean {
    const queue = this.byTenant.get(tenant);
    const i = queue?.indexOf(waiter) ?? -1;
    if (!queue || i < 0) return false;
    queue.splice(i, 1);
    this.size--;
    if (queue.length === 0) {
      this.byTenant.delete(tenant);
      this.ring.splice(this.ring.indexOf(tenant), 1);
    }
    return true;
  }
}

/**
 * A counting semaphore whose waiters are served by band (0 first) and round robin across tenants inside a
 * band. This is what makes a realtime message overtake a batch backlog inside one consumer, and what keeps
 * one tenant from occupying a whole band. Hand-written because the maintained queue libraries with
 * priorities are ESM-only and the waiters need an abort.
 */
export class PrioritySemaphore {
  private free: number;
  private readonly bands: BandQueue[];
  private readonly waitingByTopic = new Map<string, number[]>();

  constructor(
    readonly capacity: number,
    bandCount: number,
  ) {
    if (capacity < 1) throw new RangeError('capacity must be at least 1');
    this.free = capacity;
    this.bands = Array.from({ length: bandCount }, () => new BandQueue());
  }

  get inUse(): number {
    return this.capacity - this.free;
  }

  /** Slots nobody holds and nobody waits for. */
  get idle(): number {
    return this.free;
  }

  /** Waiters of one band (or all), optionally of one topic only. */
  waiting(band?: number, topic?: string): number {
    if (topic !== undefined) {
      const counts = this.waitingByTopic.get(topic) ?? [];
      return band === undefined ? counts.reduce((a, b) => a + b, 0) : (counts[band] ?? 0);
    }
    return band === undefined ? this.bands.reduce((n, q) => n + q.size, 0) : (this.bands[band]?.size ?? 0);
  }

  /** Resolves true once a slot is held, false if aborted or timed out first. */
  acquire(request: SlotRequest): Promise<boolean> {
    const band = Math.min(Math.max(0, request.band), this.bands.length - 1);
    if (request.signal?.aborted) return Promise.resolve(false);
    if (this.free > 0 && this.noWaiterBefore(band + 1)) {
      this.free--;
      return Promise.resolve(true);
    }
    const queue = this.bands[band]!;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (granted: boolean) => {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        this.count(request.topic, band, -1);
        resolve(granted);
      };
      const waiter: Waiter = { grant: done };
      const withdraw = () => {
        if (queue.remove(request.tenant, waiter)) done(false);
      };
      const onAbort = () => withdraw();
      request.signal?.addEventListener('abort', onAbort, { once: true });
      if (request.timeoutMs !== undefined) timer = setTimeout(withdraw, request.timeoutMs);
      queue.push(request.tenant, waiter);
      this.count(request.topic, band, +1);
    });
  }

  release(): void {
    for (const queue of this.bands) {
      const next = queue.shift();
      if (next) {
        // The slot passes straight to the waiter, so a newcomer cannot jump ahead of it.
        next.grant(true);
        return;
      }
    }
    if (this.free >= this.capacity) throw new Error('semaphore released more often than acquired');
    this.free++;
  }

  /** Wakes every waiter with false (shutdown). */
  abortWaiters(): void {
    for (const queue of this.bands) for (let w = queue.shift(); w; w = queue.shift()) w.grant(false);
  }

  private noWaiterBefore(bandExclusiveEnd: number): boolean {
    for (let b = 0; b < Math.min(bandExclusiveEnd, this.bands.length); b++) if (this.bands[b]!.size > 0) return false;
    return true;
  }

  private count(topic: string, band: number, delta: number): void {
    const counts = this.waitingByTopic.get(topic) ?? Array.from({ length: this.bands.length }, () => 0);
    counts[band] = (counts[band] ?? 0) + delta;
    this.waitingByTopic.set(topic, counts);
  }
}
