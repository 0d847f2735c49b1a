import { randomUUID } from 'node:crypto';
import type { RouteTarget } from '@llm/contracts';
import { deploymentLimitKey, type Redis } from '@llm/redis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { InferenceError } from '../inference.errors';
import { deploymentName } from './circuit-breakers';
import { abortableSleep } from './abortable-sleep';

export interface DeploymentLimits {
  rpm?: number;
  tpm?: number;
  concurrency?: number;
}

export interface LimiterSettings {
  /** How long a realtime call waits for room before it moves to the next target. */
  waitMs: number;
  /** Batch calls wait longer: they have no one waiting on the line. */
  batchWaitMs: number;
  /** Share of a deployment's concurrency batch calls may hold, so realtime always finds a slot. */
  batchConcurrencyShare: number;
}

export interface AcquireOptions {
  batch: boolean;
  /** Tokens the call may consume (prompt + max output), reserved against TPM and corrected after the call. */
  estimatedTokens: number;
  /** Never wait past this (the request's deadline). */
  notAfter?: number;
  signal: AbortSignal;
}

export interface LimitPermit {
  /** Frees the concurrency slot and corrects the TPM reservation with what the call consumed. */
  release(tokensUsed: number | undefined): Promise<void>;
}

/**
 * Calls in flight, requests per minute and tokens per minute of each deployment, shared by every worker
 * through Redis, plus a cooldown set when the provider answered 429 with Retry-After, so no worker hammers it
 * before that. RPM and TPM are rate-limiter-flexible windows. Concurrency is a sorted set of permits scored by
 * their expiry (a crashed worker's permits lapse), because a counter that a window resets would forget the
 * calls still running. A call that finds no room waits briefly, then moves on with DEPLOYMENT_SATURATED.
 */
export class DeploymentLimiter {
  private readonly rpm = new Map<string, RateLimiterRedis>();
  private readonly tpm = new Map<string, RateLimiterRedis>();

  constructor(
    private readonly redis: Redis,
    private readonly limitsOf: (target: RouteTarget) => DeploymentLimits | undefined,
    private readonly settings: LimiterSettings,
  ) {
    redis.defineCommand('llmAcquireDeploymentSlot', { numberOfKeys: 2, lua: ACQUIRE });
  }

  async acquire(target: RouteTarget, options: AcquireOptions): Promise<LimitPermit | InferenceError> {
    const limits = this.limitsOf(target) ?? {};
    const waitMs = options.batch ? this.settings.batchWaitMs : this.settings.waitMs;
    const giveUpAt = Math.min(Date.now() + waitMs, options.notAfter ?? Number.POSITIVE_INFINITY);
    const concurrency = limits.concurrency ? (options.batch ? Math.max(1, Math.floor(limits.concurrency * this.settings.batchConcurrencyShare)) : limits.concurrency) : 0;
    const member = randomUUID();
    const slotKey = deploymentLimitKey('conc', target.provider, target.deployment);
    const coolKey = deploymentLimitKey('cool', target.provider, target.deployment);
    const tokens = limits.tpm ? Math.min(limits.tpm, Math.max(1, options.estimatedTokens)) : 0;
    for (;;) {
      const wait = await this.tryAcquire(target, limits, { slotKey, coolKey, member, concurrency, ttlMs: target.timeout_ms + 5_000, tokens });
      if (wait.ms === 0) return this.permit(target, limits, slotKey, member, tokens);
      const now = Date.now();
      if (options.signal.aborted || now + Math.min(wait.ms, 50) > giveUpAt) return wait.cooling ? coolingDown(target, wait.ms) : saturated(target, wait.ms);
      await abortableSleep(Math.min(wait.ms, giveUpAt - now), options.signal);
    }
  }

  /** The provider said 429 with Retry-After: every worker leaves the deployment alone that long. */
  async cooldown(target: RouteTarget, seconds: number): Promise<void> {
    await this.redis.set(deploymentLimitKey('cool', target.provider, target.deployment), '1', 'PX', Math.min(60, seconds) * 1000);
  }

  /** ms 0 when the call may go; otherwise how long to wait before trying again, and whether a 429 cooldown is why. */
  private async tryAcquire(
    target: RouteTarget,
    limits: DeploymentLimits,
    k: { slotKey: string; coolKey: string; member: string; concurrency: number; ttlMs: number; tokens: number },
  ): Promise<{ ms: number; cooling?: boolean }> {
    const slot = (await (this.redis as unknown as AcquireCommand).llmAcquireDeploymentSlot(k.slotKey, k.coolKey, k.member, k.ttlMs, k.concurrency)) as number;
    if (slot > 0) return { ms: slot, cooling: true };
    // -1: every slot taken; poll, since a slot frees when any worker's call ends.
    if (slot < 0) return { ms: 50 };
    const denied = await this.consumeWindows(target, limits, k.tokens);
    if (denied === 0) return { ms: 0 };
    if (k.concurrency > 0) await this.redis.zrem(k.slotKey, k.member);
    return { ms: denied };
  }

  private async consumeWindows(target: RouteTarget, limits: DeploymentLimits, tokens: number): Promise<number> {
    const rpmKey = deploymentLimitKey('rpm', target.provider, target.deployment);
    const tpmKey = deploymentLimitKey('tpm', target.provider, target.deployment);
    try {
      if (limits.rpm) await this.window(this.rpm, target, limits.rpm).consume(rpmKey, 1);
    } catch (res) {
      return msBefore(res);
    }
    if (!limits.tpm) return 0;
    try {
      await this.window(this.tpm, target, limits.tpm).consume(tpmKey, tokens);
      return 0;
    } catch (res) {
      // The request was counted but the tokens are not available: give the request back.
      if (limits.rpm) await this.window(this.rpm, target, limits.rpm).reward(rpmKey, 1);
      return msBefore(res);
    }
  }

  private permit(target: RouteTarget, limits: DeploymentLimits, slotKey: string, member: string, reserved: number): LimitPermit {
    return {
      release: async (used) => {
        if (limits.concurrency) await this.redis.zrem(slotKey, member);
        if (!limits.tpm || used === undefined || used === reserved) return;
        const limiter = this.window(this.tpm, target, limits.tpm);
        const tpmKey = deploymentLimitKey('tpm', target.provider, target.deployment);
        if (used < reserved) await limiter.reward(tpmKey, reserved - used);
        else await limiter.penalty(tpmKey, used - reserved);
      },
    };
  }

  private window(cache: Map<string, RateLimiterRedis>, target: RouteTarget, points: number): RateLimiterRedis {
    const key = `${deploymentName(target)}:${points}`;
    let limiter = cache.get(key);
    if (!limiter) {
      // No prefix: the whole key comes from our key builder (deploymentLimitKey), which rate-limiter-flexible then uses as is.
      limiter = new RateLimiterRedis({ storeClient: this.redis, keyPrefix: '', points, duration: 60 });
      cache.set(key, limiter);
    }
    return limiter;
  }
}

interface AcquireCommand {
  llmAcquireDeploymentSlot(slotKey: string, coolKey: string, member: string, ttlMs: number, limit: number): Promise<unknown>;
}

/**
 * Returns the cooldown left (ms) when the deployment is cooling down after a 429, -1 when every concurrency
 * slot is taken, 0 with a slot taken (or none needed: limit 0). Redis's clock scores the permits, so workers'
 * clocks never disagree about which have lapsed.
 */
const ACQUIRE = `
local cool = redis.call('pttl', KEYS[2])
if cool > 0 then return cool end
local limit = tonumber(ARGV[3])
if limit <= 0 then return 0 end
local t = redis.call('time')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('zremrangebyscore', KEYS[1], '-inf', now)
if redis.call('zcard', KEYS[1]) >= limit then return -1 end
redis.call('zadd', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('pexpire', KEYS[1], ARGV[2])
return 0
`;

function msBefore(res: unknown): number {
  if (res instanceof RateLimiterRes) return Math.max(1, res.msBeforeNext);
  throw res;
}

function saturated(target: RouteTarget, waitMs: number): InferenceError {
  return new InferenceError('DEPLOYMENT_SATURATED', `${deploymentName(target)} is at its shared limits`, true, { retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)) });
}

/** Our own avoidance, not a new observation of the deployment: it does not count against its breaker. */
function coolingDown(target: RouteTarget, waitMs: number): InferenceError {
  return new InferenceError('DEPLOYMENT_SATURATED', `${deploymentName(target)} asked to be left alone (Retry-After)`, true, { retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)) });
}
