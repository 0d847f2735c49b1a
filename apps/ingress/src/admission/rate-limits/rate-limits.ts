import { Inject, Injectable } from '@nestjs/common';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AdmissionError } from '../admission.errors';
import { WINDOW_SECONDS, rateLimitHeaders, type CheckOutcome, type LimitCheck } from './rate-limit-plan';

export interface RateDecision {
  headers: Record<string, string>;
}

/**
 * Multi-level rate limits on Redis with rate-limiter-flexible: every counter is one atomic script (INCRBY with
 * its window's expiry), so instances sharing Redis share the limits. A request consumes all its counters at
 * once; the client auto-pipelines them, so admission costs one round trip however many limits apply. A refused
 * request gives its points back, so refusals do not eat into the window.
 */
@Injectable()
export class RateLimits {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async consume(checks: readonly LimitCheck[]): Promise<RateDecision> {
    if (checks.length === 0) return { headers: {} };
    const settled = await Promise.allSettled(checks.map((c) => this.limiter(c).consume(c.subject, c.points)));
    const outcomes: CheckOutcome[] = [];
    let failure: unknown;
    settled.forEach((s, i) => {
      const check = checks[i]!;
      if (s.status === 'fulfilled') outcomes.push({ check, remaining: s.value.remainingPoints, resetMs: s.value.msBeforeNext, refused: false });
      else if (s.reason instanceof RateLimiterRes) outcomes.push({ check, remaining: 0, resetMs: s.reason.msBeforeNext, refused: true });
      else failure = s.reason;
    });
    const refused = outcomes.filter((o) => o.refused);
    if (failure !== undefined || refused.length > 0) await this.refund(checks);
    if (failure !== undefined) throw new AdmissionError('UNAVAILABLE', 'rate limits are unavailable; retry shortly', true, { cause: failure, retryAfterS: 1 });
    const headers = rateLimitHeaders(outcomes);
    if (refused.length === 0) return { headers };
    const first = refused.find((o) => o.check.kind === 'requests') ?? refused[0]!;
    const retryAfterS = Math.max(1, Math.ceil(Math.max(...refused.map((o) => o.resetMs)) / 1000));
    const { kind, scope, window, limit } = first.check;
    const tooBig = kind === 'tokens' && first.check.points > limit;
    throw new RateLimitRefusal(
      kind === 'requests' ? 'RATE_LIMITED' : 'TOKEN_LIMITED',
      tooBig
        ? `this request's ${first.check.points} prompt tokens exceed the ${scope} limit of ${limit} tokens per ${window}`
        : `${scope} limit of ${limit} ${kind} per ${window} reached; retry after ${retryAfterS}s`,
      headers,
      retryAfterS,
    );
  }

  /**
   * Remembers the token counters an admitted request consumed (only when a token limit applies), so that its
   * completion tokens are charged to the same counters once its usage is known (settleCompletion).
   */
  async rememberTokenChecks(tenantId: string, requestId: string, checks: readonly LimitCheck[]): Promise<void> {
    const tokenChecks = checks.filter((c) => c.kind === 'tokens').map(({ kind, scope, window, limit, subject }) => ({ kind, scope, window, limit, subject }));
    if (tokenChecks.length === 0) return;
    await this.redis.set(new TenantKeys(tenantId).admittedTokenLimits(requestId), JSON.stringify(tokenChecks), 'EX', WINDOW_SECONDS.day);
  }

  /**
   * Charges a finished request's completion tokens to the token counters it was admitted under. GETDEL makes it
   * once per request however often the result is redelivered; the charge never refuses (the tokens are spent),
   * it only brings the next refusal closer. Returns the counters charged.
   */
  async settleCompletion(tenantId: string, requestId: string, completionTokens: number): Promise<number> {
    const stored = await this.redis.getdel(new TenantKeys(tenantId).admittedTokenLimits(requestId));
    if (stored === null || completionTokens <= 0) return 0;
    const checks = (JSON.parse(stored) as Array<Omit<LimitCheck, 'points'>>).map((c) => ({ ...c, points: completionTokens }));
    await Promise.all(checks.map((c) => this.limiter(c).penalty(c.subject, c.points)));
    return checks.length;
  }

  /** Gives back what an admitted request consumed, when a later admission step refused it. */
  async refund(checks: readonly LimitCheck[]): Promise<void> {
    await Promise.allSettled(checks.map((c) => this.limiter(c).reward(c.subject, c.points)));
  }

  private limiter(check: LimitCheck): RateLimiterRedis {
    const id = `${check.kind}:${check.scope}:${check.window}:${check.limit}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        // The counter's key does not carry the limit: a changed limit keeps counting the same window.
        keyPrefix: `rl:${check.kind}:${check.scope}:${check.window}`,
        points: check.limit,
        duration: WINDOW_SECONDS[check.window],
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

/** A refusal that carries the rate-limit headers the caller should still see. */
export class RateLimitRefusal extends AdmissionError {
  constructor(
    code: 'RATE_LIMITED' | 'TOKEN_LIMITED',
    message: string,
    readonly headers: Record<string, string>,
    retryAfterS: number,
  ) {
    super(code, message, true, { retryAfterS });
  }
}
