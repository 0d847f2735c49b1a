/** Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): a uniform wait in [0, min(cap, base * 2^round)). */
export function fullJitterMs(round: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** round));
}

export interface RetryBudgetSettings {
  /** Retries allowed as a fraction of first calls in the window. */
  ratio: number;
  /** Retries always allowed per second, so a quiet worker can still retry. */
  minPerS: number;
  windowMs?: number;
}

/**
 * A retry budget in the manner of Finagle and Envoy: retries may add at most `ratio` of the first calls made
 * over the last window, plus a small floor. When a provider is down every request fails, and without a budget
 * every request would also retry: the budget caps the extra load an outage causes at `ratio`, whatever
 * the per-request retry count says. Per worker process, in memory: each worker's share of the load is what it
 * can amplify.
 */
export class RetryBudget {
  private readonly bucketMs: number;
  private readonly buckets: Array<{ at: number; requests: number; retries: number }>;

  constructor(
    private readonly settings: RetryBudgetSettings,
    private readonly now: () => number = Date.now,
  ) {
    const windowMs = settings.windowMs ?? 10_000;
    this.bucketMs = Math.max(1, Math.floor(windowMs / 10));
    this.buckets = Array.from({ length: 10 }, () => ({ at: -1, requests: 0, retries: 0 }));
  }

  /** A first call of a request (not a retry). */
  recordRequest(): void {
    this.bucket().requests++;
  }

  /** Takes one retry from the budget; false when the window's retries are spent. */
  tryRetry(): boolean {
    const { requests, retries } = this.totals();
    const allowed = this.settings.minPerS * ((this.bucketMs * this.buckets.length) / 1000) + this.settings.ratio * requests;
    if (retries + 1 > allowed) return false;
    this.bucket().retries++;
    return true;
  }

  private bucket(): { at: number; requests: number; retries: number } {
    const slot = Math.floor(this.now() / this.bucketMs);
    const b = this.buckets[slot % this.buckets.length]!;
    if (b.at !== slot) Object.assign(b, { at: slot, requests: 0, retries: 0 });
    return b;
  }

  private totals(): { requests: number; retries: number } {
    const oldest = Math.floor(this.now() / this.bucketMs) - this.buckets.length + 1;
    let requests = 0;
    let retries = 0;
    for (const b of this.buckets) {
      if (b.at < oldest) continue;
      requests += b.requests;
      retries += b.retries;
    }
    return { requests, retries };
  }
}
