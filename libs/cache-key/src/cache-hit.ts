import type { ChatCompletion, LlmResultV1, UsageV1 } from '@llm/contracts';
import { answeredResult, usageEvent, type RequestIdentity } from '@llm/result-stream';

/**
 * The usage event of a hit has a fixed call id: a hit answered twice (a redelivery after a failed publish) must
 * be one ledger row, not two; the ledger keys usage on (tenant_id, request_id, call_id).
 */
export const CACHE_HIT_CALL_ID = 'cache';

export interface CacheHit {
  key: string;
  completion: ChatCompletion;
}

/**
 * What answering a request from the exact cache produces, wherever it is answered: the terminal result (the
 * stored completion under this request's id) and a zero-cost usage event, so the ledger and the evaluator see
 * the request like any other.
 */
export function cacheHitOutcome(request: RequestIdentity, hit: CacheHit, attempt: number, now = new Date()): { result: LlmResultV1; usage: UsageV1 } {
  const usage = hit.completion.usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  const latency = Math.max(0, now.getTime() - Date.parse(request.created_at));
  return {
    usage: usageEvent(
      request,
      {
        call_id: CACHE_HIT_CALL_ID,
        attempt,
        model: hit.completion.model,
        provider: 'cache',
        source: 'cache',
        status: 'succeeded',
        tokens_in: usage.prompt_tokens,
        tokens_out: usage.completion_tokens,
        cost_micros: 0,
        latency_ms: Number.isFinite(latency) ? latency : 0,
      },
      now,
    ),
    result: answeredResult(
      request,
      {
        source: 'cache',
        model: hit.completion.model,
        provider: 'cache',
        cache_key: hit.key,
        response: { ...hit.completion, id: `chatcmpl-${request.request_id}`, created: Math.floor(now.getTime() / 1000) },
        usage,
        cost_micros: 0,
        cache_hit: { kind: 'exact' },
        attempt,
      },
      now,
    ),
  };
}
