import type { LlmRequestV1, LlmResultV1, ResultError, UsageV1 } from '@llm/contracts';

/** What every result and usage event copies from its request. */
export type RequestIdentity = Pick<LlmRequestV1, 'request_id' | 'tenant_id' | 'upstream_id' | 'user_id' | 'feature' | 'priority' | 'created_at'>;

const ZERO_USAGE = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

/** The identity fields every result copies from its request. */
export function resultIdentity(request: Omit<RequestIdentity, 'created_at'>) {
  return {
    request_id: request.request_id,
    tenant_id: request.tenant_id,
    ...(request.upstream_id !== undefined ? { upstream_id: request.upstream_id } : {}),
    user_id: request.user_id,
    feature: request.feature,
    priority: request.priority,
  };
}

function sinceCreated(request: RequestIdentity, now: Date): number {
  const created = Date.parse(request.created_at);
  return Number.isFinite(created) ? Math.max(0, now.getTime() - created) : 0;
}

export interface EndedWithoutAnswer {
  status: Exclude<LlmResultV1['status'], 'succeeded'>;
  error: ResultError;
  attempt: number;
  cache_key?: string;
  /** What was charged for calls that consumed tokens before the request ended. */
  cost_micros?: number;
  usage?: LlmResultV1['usage'];
  model?: string;
  provider?: string;
  fallback_used?: boolean;
}

/** The terminal result of a request that ends without an answer: refused, failed, expired or cancelled. */
export function unansweredResult(request: RequestIdentity, outcome: EndedWithoutAnswer, now = new Date()): LlmResultV1 {
  return {
    ...resultIdentity(request),
    status: outcome.status,
    source: 'none',
    ...(outcome.model !== undefined ? { model: outcome.model } : {}),
    ...(outcome.provider !== undefined ? { provider: outcome.provider } : {}),
    ...(outcome.cache_key !== undefined ? { cache_key: outcome.cache_key } : {}),
    error: outcome.error,
    usage: outcome.usage ?? ZERO_USAGE,
    cost_micros: outcome.cost_micros ?? 0,
    latency_ms: sinceCreated(request, now),
    attempt: outcome.attempt,
    fallback_used: outcome.fallback_used ?? false,
    completed_at: now.toISOString(),
  };
}

export interface Answered {
  source: 'cache' | 'model';
  model: string;
  provider: string;
  response: NonNullable<LlmResultV1['response']>;
  usage: LlmResultV1['usage'];
  cost_micros: number;
  attempt: number;
  cache_key?: string;
  /** On a cache hit: how it matched and what it saved. */
  cache_hit?: LlmResultV1['cache_hit'];
  fallback_used?: boolean;
  /** The route plan step that answered (its target's role). */
  fallback_step?: LlmResultV1['fallback_step'];
}

/** The terminal result of a request that got its answer, from a model or the cache. */
export function answeredResult(request: RequestIdentity, outcome: Answered, now = new Date()): LlmResultV1 {
  return {
    ...resultIdentity(request),
    status: 'succeeded',
    source: outcome.source,
    model: outcome.model,
    provider: outcome.provider,
    ...(outcome.cache_key !== undefined ? { cache_key: outcome.cache_key } : {}),
    ...(outcome.cache_hit !== undefined ? { cache_hit: outcome.cache_hit } : {}),
    response: outcome.response,
    usage: outcome.usage,
    cost_micros: outcome.cost_micros,
    latency_ms: sinceCreated(request, now),
    attempt: outcome.attempt,
    fallback_used: outcome.fallback_used ?? false,
    ...(outcome.fallback_step !== undefined ? { fallback_step: outcome.fallback_step } : {}),
    completed_at: now.toISOString(),
  };
}

export type CallUsage = Omit<UsageV1, 'request_id' | 'tenant_id' | 'user_id' | 'feature' | 'occurred_at' | 'tokens_cached_in' | 'tokens_estimated'> &
  Partial<Pick<UsageV1, 'tokens_cached_in' | 'tokens_estimated'>>;

/** The usage event of one provider call (or cache hit) made for a request. */
export function usageEvent(request: RequestIdentity, call: CallUsage, now = new Date()): UsageV1 {
  return {
    request_id: request.request_id,
    tenant_id: request.tenant_id,
    user_id: request.user_id,
    feature: request.feature,
    tokens_cached_in: 0,
    tokens_estimated: false,
    ...call,
    occurred_at: now.toISOString(),
  };
}
