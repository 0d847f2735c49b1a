import type { RouteTarget } from '@llm/contracts';

export interface CallLimits {
  firstTokenMs: number;
  idleMs: number;
  totalMs: number;
}

export type StopReason = { kind: 'timeout'; limit: 'first_token' | 'idle' | 'total'; ms: number } | { kind: 'cancelled' };

/** The limits of a call to a target: the route's own, else the catalog defaults the router passed on. */
export function limitsOf(target: RouteTarget, defaults: { firstTokenMs: number; idleMs: number }): CallLimits {
  const totalMs = target.timeout_ms;
  return {
    totalMs,
    firstTokenMs: Math.min(totalMs, target.first_token_timeout_ms ?? defaults.firstTokenMs),
    idleMs: Math.min(totalMs, target.idle_timeout_ms ?? defaults.idleMs),
  };
}

/**
 * One AbortSignal for a provider call that fires on the first limit reached: time to first token (for a
 * non-streamed call, to the whole answer), silence between chunks, total time, or the caller cancelling.
 */
export class CallGuard {
  private readonly controller = new AbortController();
  private reason: StopReason | undefined;
  private readonly total: NodeJS.Timeout;
  private firstToken: NodeJS.Timeout | undefined;
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly limits: CallLimits) {
    this.total = setTimeout(() => this.stop({ kind: 'timeout', limit: 'total', ms: limits.totalMs }), limits.totalMs);
    this.firstToken = setTimeout(() => this.stop({ kind: 'timeout', limit: 'first_token', ms: limits.firstTokenMs }), limits.firstTokenMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopped(): StopReason | undefined {
    return this.reason;
  }

  /** A chunk arrived: the first-token limit is met and the idle clock restarts. */
  progress(): void {
    clearTimeout(this.firstToken);
    this.firstToken = undefined;
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.stop({ kind: 'timeout', limit: 'idle', ms: this.limits.idleMs }), this.limits.idleMs);
  }

  cancel(): void {
    this.stop({ kind: 'cancelled' });
  }

  dispose(): void {
    clearTimeout(this.total);
    clearTimeout(this.firstToken);
    clearTimeout(this.idle);
  }

  private stop(reason: StopReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.dispose();
    this.controller.abort(reason);
  }
}
