import { z } from 'zod';
import { isoDateTime, micros, opaqueId, requestId, tenantId, tokenCount } from '../ids';

/**
 * llm.usage.v1: tokens and cost of one provider call (or one cache hit) made for one request.
 * (tenant_id, request_id, call_id) is the idempotency key: the ledger records each call once however often
 * the event is delivered or republished. `call_id` is chosen before the call and stored with its outcome, so a
 * redelivered request republishes the same id; it never depends on the Kafka delivery attempt.
 */
export const usageV1 = z.object({
  request_id: requestId,
  call_id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._:-]+$/),
  /** Kafka delivery attempt that made the call (information only, not identity). */
  attempt: z.number().int().min(1),
  tenant_id: tenantId,
  user_id: opaqueId.optional(),
  feature: opaqueId.optional(),
  model: z.string().max(128),
  provider: z.string().max(64),
  deployment: z.string().max(256).optional(),
  source: z.enum(['cache', 'model']),
  /** failed: the call errored or timed out after consuming tokens; cancelled: stopped because the caller left. */
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  tokens_in: tokenCount,
  /** Of tokens_in, how many were served from the provider's prompt cache (priced at the cached rate). */
  tokens_cached_in: tokenCount.default(0),
  tokens_out: tokenCount,
  /** True when the provider reported no usage and the tokens were counted locally with a tokenizer. */
  tokens_estimated: z.boolean().default(false),
  cost_micros: micros,
  /** What the cache or routing saved against the price of the model the caller asked for (a cache hit costs 0 and saves this). */
  saved_micros: micros.optional(),
  latency_ms: z.number().int().min(0),
  /** Provider retries inside this call, and whether the call ran on a fallback deployment (optional, reports only). */
  retries: z.number().int().min(0).optional(),
  fallback: z.boolean().optional(),
  /** The route plan step of this call (role of its target, or `cached-answer`). */
  fallback_step: z.enum(['primary', 'other-deployment', 'escalation', 'cheaper-model', 'fallback-model', 'cached-answer', 'degraded']).optional(),
  /** True when the call went through a provider's batch API (priced at its discount). */
  batch: z.boolean().optional(),
  occurred_at: isoDateTime,
});
export type UsageV1 = z.infer<typeof usageV1>;
