import { ExactCacheReader } from '@llm/cache-key';
import type { ChatCompletion, InferenceRequestV1 } from '@llm/contracts';
import type { AnswerCheck } from '@llm/routing-scorer';
import type { MetricsRegistry } from '@llm/telemetry';
import type { InferenceWorkerConfig } from '../../config/inference-worker.config';
import type { InferenceError } from '../inference.errors';
import { fullJitterMs, RetryBudget } from './retry-policy';
import { StructuredOutputValidator } from './structured-output';

export type PolicySettings = Pick<
  InferenceWorkerConfig,
  | 'INFERENCE_LEASE_MS'
  | 'INFERENCE_LEASE_WAIT_MS'
  | 'INFERENCE_MAX_RETRIES'
  | 'INFERENCE_RETRY_BASE_MS'
  | 'INFERENCE_RETRY_CAP_MS'
  | 'INFERENCE_RETRY_AFTER_MAX_MS'
  | 'INFERENCE_RETRY_BUDGET_RATIO'
  | 'INFERENCE_RETRY_BUDGET_MIN_PER_S'
  | 'INFERENCE_JSON_RETRIES'
>;

export const DEFAULT_POLICY_SETTINGS: PolicySettings = {
  INFERENCE_LEASE_MS: 15_000,
  INFERENCE_LEASE_WAIT_MS: 120_000,
  INFERENCE_MAX_RETRIES: 2,
  INFERENCE_RETRY_BASE_MS: 250,
  INFERENCE_RETRY_CAP_MS: 5_000,
  INFERENCE_RETRY_AFTER_MAX_MS: 10_000,
  INFERENCE_RETRY_BUDGET_RATIO: 0.2,
  INFERENCE_RETRY_BUDGET_MIN_PER_S: 1,
  INFERENCE_JSON_RETRIES: 2,
};

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; why: 'retries_spent' | 'breakers_open' | 'retry_after_too_long' | 'deadline' | 'budget_spent' };

/**
 * What the worker decides around provider calls, in one place: whether a failed round over the plan's
 * targets is tried again (and after how long), how structured and cascaded answers are checked, and the last resort
 * when nothing answered (an exact-cache answer, read only).
 */
export class InferencePolicies {
  readonly structured = new StructuredOutputValidator();
  private readonly budget: RetryBudget;
  private readonly retries;
  private readonly lastResorts;

  constructor(
    readonly settings: PolicySettings,
    private readonly cache?: ExactCacheReader,
    metrics?: MetricsRegistry,
    private readonly random: () => number = Math.random,
    /** The cascade's answer-check (weights file); without it, answers a plan asks to check are kept. */
    readonly answerCheck?: AnswerCheck,
  ) {
    this.budget = new RetryBudget({ ratio: settings.INFERENCE_RETRY_BUDGET_RATIO, minPerS: settings.INFERENCE_RETRY_BUDGET_MIN_PER_S });
    this.retries = metrics?.counter('inference_retry_rounds_total', 'Rounds over the plan decided after a round failed, by decision', ['decision']);
    this.lastResorts = metrics?.counter('inference_last_resort_total', 'Requests no model answered, by what answered them', ['answer']);
  }

  /** A request's first round starts (the retry budget is a share of these). */
  requestStarted(): void {
    this.budget.recordRequest();
  }

  /** After round `round` (0-based) failed on every target with transient errors: try again, and when? */
  nextRound(round: number, failures: readonly InferenceError[], notAfter: number | undefined, now = Date.now()): RetryDecision {
    const decision = this.decide(round, failures, notAfter, now);
    this.retries?.inc({ decision: decision.retry ? 'retry' : decision.why });
    return decision;
  }

  private decide(round: number, failures: readonly InferenceError[], notAfter: number | undefined, now: number): RetryDecision {
    if (round >= this.settings.INFERENCE_MAX_RETRIES) return { retry: false, why: 'retries_spent' };
    // Open breakers stay open for seconds: a round a moment later would find them open again.
    if (failures.every((f) => f.code === 'CIRCUIT_OPEN')) return { retry: false, why: 'breakers_open' };
    // The soonest any target may be called again; a failure without Retry-After may be retried after the backoff.
    const retryAfterMs = Math.min(...failures.map((f) => (f.retryAfterS ?? 0) * 1000));
    if (retryAfterMs > this.settings.INFERENCE_RETRY_AFTER_MAX_MS) return { retry: false, why: 'retry_after_too_long' };
    const delayMs = Math.max(retryAfterMs, fullJitterMs(round, this.settings.INFERENCE_RETRY_BASE_MS, this.settings.INFERENCE_RETRY_CAP_MS, this.random));
    if (notAfter !== undefined && now + delayMs >= notAfter) return { retry: false, why: 'deadline' };
    if (!this.budget.tryRetry()) return { retry: false, why: 'budget_spent' };
    return { retry: true, delayMs };
  }

  /** The exact cache's answer to this request, if one exists now (another request may have stored it since). */
  async cachedAnswer(request: InferenceRequestV1): Promise<{ key: string; completion: ChatCompletion } | undefined> {
    if (!this.cache) return undefined;
    const key = request.cache_key ?? this.cache.keyFor(request);
    const completion = key ? await this.cache.find(request.tenant_id, key) : undefined;
    this.lastResorts?.inc({ answer: completion ? 'cache' : 'degraded' });
    return key && completion ? { key, completion } : undefined;
  }
}
