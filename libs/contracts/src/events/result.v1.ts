import { z } from 'zod';
import { isoDateTime, micros, opaqueId, requestId, tenantId } from '../ids';
import { priority } from '../priority';
import { chatCompletion, usage } from './chat';

/** expired: the deadline passed before a model was called; cancelled: the caller left and the work was stopped. */
export const resultStatus = z.enum(['succeeded', 'failed', 'rejected', 'expired', 'cancelled']);
export type ResultStatus = z.infer<typeof resultStatus>;

export const resultSource = z.enum(['cache', 'model', 'none']);
export type ResultSource = z.infer<typeof resultSource>;

export const resultError = z.object({
  code: z.string().max(64),
  message: z.string().max(2048),
  retryable: z.boolean(),
  /** Seconds the caller should wait before trying again (429/503). */
  retry_after_s: z.number().int().min(0).optional(),
});
export type ResultError = z.infer<typeof resultError>;

/** How a cache hit matched: an exact key, or a similar question (with its cosine similarity). */
export const cacheHit = z.object({
  kind: z.enum(['exact', 'semantic']),
  similarity: z.number().min(-1).max(1).optional(),
  /** Estimated cost the hit saved: what the answer cost when the model produced it. */
  saved_micros: micros.optional(),
});
export type CacheHit = z.infer<typeof cacheHit>;

/**
 * What the worker's escalation check decided about a weak model's answer (route plan: confidence escalation or
 * the answer-check cascade): the score, the threshold it was held against, and whether the answer was replaced.
 */
export const escalationRecord = z.object({
  /** `answer-check`: score = probability the answer is wrong (escalate at or above); `mean-logprob`: escalate below. */
  check: z.enum(['answer-check', 'mean-logprob']),
  score: z.number().optional(),
  threshold: z.number(),
  escalated: z.boolean(),
  /**
   * confident / unsure / no-logprobs: what the check found. Kept although unsure: `deadline` (no time was left for
   * a second call), `escalation-failed` (the escalation target could not answer; the checked answer is returned).
   */
  reason: z.enum(['confident', 'unsure', 'no-logprobs', 'deadline', 'escalation-failed']),
  /** The model whose answer was checked, and the checker's version (weights file). */
  checked_model: z.string().max(128),
  checker: z.string().max(64).optional(),
});
export type EscalationRecord = z.infer<typeof escalationRecord>;

/** llm.results.v1: the terminal outcome of a request. Exactly one per request reaches the caller's stream. */
export const llmResultV1 = z.object({
  request_id: requestId,
  tenant_id: tenantId,
  /** The upstream's own id for Kafka inbound requests (request_id is derived from it and the tenant). */
  upstream_id: opaqueId.optional(),
  user_id: opaqueId.optional(),
  feature: opaqueId.optional(),
  priority,
  status: resultStatus,
  source: resultSource,
  model: z.string().max(128).optional(),
  provider: z.string().max(64).optional(),
  cache_key: z.string().max(200).optional(),
  cache_hit: cacheHit.optional(),
  response: chatCompletion.optional(),
  error: resultError.optional(),
  usage: usage,
  cost_micros: micros,
  latency_ms: z.number().int().min(0),
  attempt: z.number().int().min(1),
  fallback_used: z.boolean().default(false),
  /** Which step of the route plan's fallback order produced this outcome (routing issue). */
  fallback_step: z.enum(['primary', 'other-deployment', 'escalation', 'cheaper-model', 'fallback-model', 'cached-answer', 'degraded']).optional(),
  escalation: escalationRecord.optional(),
  completed_at: isoDateTime,
});
export type LlmResultV1 = z.infer<typeof llmResultV1>;
