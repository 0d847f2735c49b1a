import type { RealtimeActivity } from './realtime-activity';

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
  /** This is realtime work (its priority is known and above batch): it holds batch back for a while. */
  realtime?: boolean;
}

interface Waiter {
  grant: (granted: boolean) => void;
}

export interface LowBandLimit {
  /** Slots the lowest band (batch) may hold while realtime work is recent; it may use all of them otherwise. */
  maxInFlight: number;
  /** How long realtime work counts as recent. */
  windowMs: number;
  activity: RealtimeActivity;
  now?: () => number;
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
 * one tenant from occupying a whole band. With a `lowBandLimit`, the lowest band holds at most a few slots
 * while realtime work is recent: batch uses the capacity realtime leaves idle, not the capacity (slots and
 * CPU) it needs. Hand-written because the maintained queue libraries with priorities are ESM-only and the
 * waiters need an abort.
 */
export class PrioritySemaphore {
  private free: number;
  private readonly bands: BandQueue[];
  private readonly held: number[];
  private readonly waitingByTopic = new Map<string, number[]>();
  private wakeTimer?: NodeJS.Timeout;

  constructor(
    readonly capacity: number,
    bandCount: number,
    private readonly lowBandLimit?: LowBandLimit,
  ) {
    if (capacity < 1) throw new RangeError('capacity must be at least 1');
    this.free = capacity;
    this.bands = Array.from({ length: bandCount }, () => new BandQueue());
    this.held = Array.from({ length: bandCount }, () => 0);
  }

  /** Slots held by one band now. */
  heldBy(band: number): number {
    return this.held[band] ?? 0;
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
    const band = this.clamp(request.band);
    if (request.signal?.aborted) return Promise.resolve(false);
    if (request.realtime) this.lowBandLimit?.activity.mark(this.now());
    if (this.free > 0 && this.noWaiterBefore(band + 1) && this.mayHold(band)) {
      this.free--;
      this.held[band]!++;
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
      this.scheduleWake();
    });
  }

  /** Gives back a slot acquired for `band`. */
  release(band: number): void {
    const b = this.clamp(band);
    if (this.free >= this.capacity || this.held[b]! <= 0) throw new Error('semaphore released more often than acquired');
    this.held[b]!--;
    this.free++;
    this.grantWaiting();
  }

  /** Wakes every waiter with false (shutdown). */
  abortWaiters(): void {
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    for (const queue of this.bands) for (let w = queue.shift(); w; w = queue.shift()) w.grant(false);
  }

  /** Hands free slots to waiters, highest band first; the slot passes straight on, so a newcomer cannot jump ahead. */
  private grantWaiting(): void {
    for (let b = 0; b < this.bands.length && this.free > 0; b++) {
      const queue = this.bands[b]!;
      while (this.free > 0 && queue.size > 0 && this.mayHold(b)) {
        this.free--;
        this.held[b]!++;
        queue.shift()!.grant(true);
      }
    }
    this.scheduleWake();
  }

  private mayHold(band: number): boolean {
    const limit = this.lowBandLimit;
    if (!limit || band < this.bands.length - 1) return true;
    return this.held[band]! < limit.maxInFlight || this.now() - limit.activity.lastAt >= limit.windowMs;
  }

  /** Batch waiters held back by the limit get their slots when realtime work stops being recent, even if nothing is released. */
  private scheduleWake(): void {
    const limit = this.lowBandLimit;
    const low = this.bands.length - 1;
    if (!limit || this.wakeTimer || this.free === 0 || this.bands[low]!.size === 0 || this.mayHold(low)) return;
    const inMs = Math.max(1, limit.activity.lastAt + limit.windowMs - this.now());
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.grantWaiting();
    }, inMs);
    this.wakeTimer.unref();
  }

  private now(): number {
    return this.lowBandLimit?.now?.() ?? Date.now();
  }

  private clamp(band: number): number {
    return Math.min(Math.max(0, band), this.bands.length - 1);
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
