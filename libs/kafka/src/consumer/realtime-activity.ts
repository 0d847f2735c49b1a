/**
 * When this process last saw realtime work: a realtime message taking a consumer slot, or (in ingress) a
 * realtime HTTP request. Batch work is held back while it is recent (PrioritySemaphore), because the stages of
 * the pipeline share the machine's CPU: a stage flat out on batch work slows the realtime request that comes
 * through it next, even when that request finds a free slot. Process-wide on purpose: the HTTP side and the
 * Kafka consumers of one service share one event loop.
 */
export class RealtimeActivity {
  private last = Number.NEGATIVE_INFINITY;

  mark(at = Date.now()): void {
    if (at > this.last) this.last = at;
  }

  /** Time of the last realtime work, or -Infinity. */
  get lastAt(): number {
    return this.last;
  }
}

/** This process's signal; ingress marks its realtime HTTP requests on it. */
export const realtimeActivity = new RealtimeActivity();
