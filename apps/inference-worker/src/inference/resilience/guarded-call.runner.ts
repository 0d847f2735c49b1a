import type { CallOutcome, CallSpec } from '../calls/provider-call.runner';
import type { CircuitBreakers } from './circuit-breakers';
import type { DeploymentLimiter } from './deployment-limiter';

type Runner = { run(spec: CallSpec): Promise<CallOutcome> };

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
 * Retry-After cools the deployment down for every worker.
 */
export class GuardedCallRunner {
  constructor(
    private readonly inner: Runner,
    private readonly breakers: CircuitBreakers,
    private readonly limiter: DeploymentLimiter,
    private readonly settings: GuardSettings,
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
    }
  }
}

/** A cheap upper guess (4 characters a token) for the TPM reservation; the call's real usage corrects it. */
function estimateTokens(spec: CallSpec, defaultOutput: number): number {
  let chars = 0;
  for (const m of spec.body.messages) chars += typeof m.content === 'string' ? m.content.length : JSON.stringify(m.content ?? '').length;
  const output = spec.body.max_completion_tokens ?? spec.body.max_tokens ?? defaultOutput;
  return Math.ceil(chars / 4) + output;
}
