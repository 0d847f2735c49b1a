import type { DeploymentHealth } from '@llm/deployment-health';
import type { CallOutcome, CallSpec } from '../calls/provider-call.runner';
import type { CircuitBreakers } from './circuit-breakers';
import type { DeploymentLimiter } from './deployment-limiter';

type Runner = { run(spec: CallSpec): Promise<CallOutcome> };

/** Failures that say something about the deployment (not about the request, the caller or the clock). */
const DEPLOYMENT_FAULTS: ReadonlySet<string> = new Set([
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_TIMEOUT',
  'PROVIDER_RATE_LIMITED',
  'PROVIDER_INVALID_RESPONSE',
  'PROVIDER_MISCONFIGURED',
]);

export interface GuardedCallOptions {
  batch: boolean;
  /** Epoch ms after which the call must not start waiting (the request's deadline). */
  notAfter?: number;
}

export interface GuardSettings {
  /** Output tokens assumed for a call without max_tokens when TPM is reserved. */
  defaultOutputTokens: number;
  /**
   * A 429 asking for at least this long (Retry-After, s) cools the deployment down for every worker. Shorter
   * ones are the request's own business (its retry waits for them): a provider that rate-limits a call now and
   * then would otherwise be shut off for everyone after each one.
   */
  cooldownMinRetryAfterS: number;
}

/**
 * A provider call behind its deployment's circuit breaker and shared limits: an open breaker or a saturated
 * deployment answers at once (notCalled) so the request moves to its next target, and a 429 with a long
 * Retry-After cools the deployment down for every worker. Each call made is counted in the deployment's shared
 * health (libs/deployment-health), which the routers balance on.
 */
export class GuardedCallRunner {
  constructor(
    private readonly inner: Runner,
    private readonly breakers: CircuitBreakers,
    private readonly limiter: DeploymentLimiter,
    private readonly settings: GuardSettings,
    private readonly health?: Pick<DeploymentHealth, 'recordOutcome'>,
  ) {}

  async run(spec: CallSpec, options: GuardedCallOptions = { batch: false }): Promise<CallOutcome> {
    return this.breakers.run(spec.target, () => this.limited(spec, options));
  }

  private async limited(spec: CallSpec, options: GuardedCallOptions): Promise<CallOutcome> {
    const permit = await this.limiter.acquire(spec.target, {
      batch: options.batch,
      estimatedTokens: estimateTokens(spec, this.settings.defaultOutputTokens),
      ...(options.notAfter !== undefined ? { notAfter: options.notAfter } : {}),
      signal: spec.stop,
    });
    if (!('release' in permit)) return { ok: false, error: permit, deltas: 0, cancelled: false, notCalled: true };
    let outcome: CallOutcome | undefined;
    try {
      outcome = await this.inner.run(spec);
      return outcome;
    } finally {
      const used = outcome?.tokens ? outcome.tokens.tokensIn + outcome.tokens.tokensOut : undefined;
      await permit.release(used);
      const retryAfterS = outcome && !outcome.ok && outcome.error.code === 'PROVIDER_RATE_LIMITED' ? outcome.error.retryAfterS : undefined;
      if (retryAfterS !== undefined && retryAfterS >= this.settings.cooldownMinRetryAfterS) await this.limiter.cooldown(spec.target, retryAfterS);
      if (outcome) this.countHealth(spec, outcome);
    }
  }

  /**
   * Not awaited, and a failed write is dropped: the signal is approximate by nature, and the caller's answer must
   * not wait on it. A cancelled call, or one refused for the request's own fault, says nothing about the deployment.
   */
  private countHealth(spec: CallSpec, outcome: CallOutcome): void {
    if (!this.health) return;
    if (!outcome.ok && (outcome.cancelled || !DEPLOYMENT_FAULTS.has(outcome.error.code))) return;
    void this.health.recordOutcome(spec.target.model, outcome.ok).catch(() => undefined);
  }
}

/** A cheap upper guess (4 characters a token) for the TPM reservation; the call's real usage corrects it. */
function estimateTokens(spec: CallSpec, defaultOutput: number): number {
  let chars = 0;
  for (const m of spec.body.messages) chars += typeof m.content === 'string' ? m.content.length : JSON.stringify(m.content ?? '').length;
  const output = spec.body.max_completion_tokens ?? spec.body.max_tokens ?? defaultOutput;
  return Math.ceil(chars / 4) + output;
}
