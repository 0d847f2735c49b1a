import { z } from 'zod';
import { screeningSchema } from '../admission-plan';
import { isoDateTime, micros, opaqueId, requestId, tenantId } from '../ids';
import { priority } from '../priority';
import { chatRequestBody } from './chat';

/** How the caller waits for the outcome; decides whether the worker streams deltas. */
export const requestMode = z.enum(['sync', 'stream', 'async', 'kafka']);
export type RequestMode = z.infer<typeof requestMode>;

export const ragOptions = z.object({
  collection: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/),
  top_k: z.number().int().min(1).max(50).default(5),
});

export const cacheDirective = z.enum(['default', 'refresh', 'off']);
export type CacheDirective = z.infer<typeof cacheDirective>;

/** llm.requests.v1: an accepted request. Ingress writes it only after auth, limits and the status record. */
export const llmRequestV1 = z.object({
  request_id: requestId,
  tenant_id: tenantId,
  /** The upstream's own id for Kafka inbound requests (request_id is derived from it and the tenant). */
  upstream_id: opaqueId.optional(),
  user_id: opaqueId.optional(),
  feature: opaqueId.optional(),
  priority,
  mode: requestMode,
  created_at: isoDateTime,
  /** Set by ingress from the priority's time budget; every stage ends an expired request as EXPIRED. */
  deadline_at: isoDateTime.optional(),
  body: chatRequestBody,
  rag: ragOptions.optional(),
  /** Worst-case cost reserved at admission; settled by cost-ledger when usage arrives. */
  reserved_micros: micros.optional(),
  /** Per-request cache directive: `refresh` skips the lookup and stores the fresh answer; `off` neither reads nor writes. */
  cache: cacheDirective.optional(),
  /** The caller's plan's prompt-injection policy, applied by the retriever to retrieved context (ingress screens the user turns). */
  screening: screeningSchema.optional(),
  /** Model tiers the caller's plan may use; the router never plans outside them (all tiers when absent). */
  allowed_tiers: z
    .array(z.enum(['small', 'medium', 'large']))
    .min(1)
    .max(3)
    .optional(),
});
export type LlmRequestV1 = z.infer<typeof llmRequestV1>;

/** Set by the cache on a miss so the result can be written back under the same key. */
export const cacheRef = z.object({ cache_key: z.string().max(200).optional() });

/** llm.retrieve.v1: a cache miss that asked for RAG. */
export const retrieveRequestV1 = llmRequestV1.extend(cacheRef.shape);
export type RetrieveRequestV1 = z.infer<typeof retrieveRequestV1>;

export const retrievedChunk = z.object({
  document_id: z.string().max(256),
  chunk_id: z.string().max(256),
  text: z.string().max(100_000),
  score: z.number(),
  /** The number the grounded prompt shows for this source (`[n]`); the answer cites it. */
  citation: z.number().int().min(1).max(100).optional(),
  collection: z.string().max(64).optional(),
  title: z.string().max(256).optional(),
});
export type RetrievedChunk = z.infer<typeof retrievedChunk>;

/** llm.route.v1: a request ready for routing, with any retrieved context. */
export const routeRequestV1 = retrieveRequestV1.extend({
  context: z.array(retrievedChunk).max(100).default([]),
});
export type RouteRequestV1 = z.infer<typeof routeRequestV1>;

/** One deployment the worker may call. Credentials never travel: the worker resolves the provider locally. */
export const routeTarget = z.object({
  model: z.string().min(1).max(128),
  provider: z.string().min(1).max(64),
  deployment: z.string().min(1).max(256),
  price_in_micros_per_mtok: micros,
  price_out_micros_per_mtok: micros,
  /** Price of prompt tokens served from the provider's cache; the input price when absent. */
  price_cached_in_micros_per_mtok: micros.optional(),
  /** Total time one call may take, stream body included. */
  timeout_ms: z.number().int().positive().max(600_000),
  /** Time to the first token (or the whole answer when not streaming upstream). */
  first_token_timeout_ms: z.number().int().positive().max(600_000).optional(),
  /** Longest silence between two chunks of a stream. */
  idle_timeout_ms: z.number().int().positive().max(600_000).optional(),
  /** Why this target is in the plan (routing issue): its step in the fallback order. */
  role: z.enum(['primary', 'other-deployment', 'escalation', 'cheaper-model', 'fallback-model']).optional(),
  tier: z.enum(['small', 'medium', 'large']).optional(),
  /**
   * Confidence escalation: run this target with `logprobs: true`; when the answer's mean token logprob is below
   * this value, discard it and call the next target (role `escalation`) instead.
   */
  escalate_if_mean_logprob_below: z.number().max(0).optional(),
  /**
   * Cascade (weak model first): score this target's answer with the answer-check (libs/routing-scorer, the
   * probability that the answer is wrong) and call the next target with role `escalation` when the score reaches
   * the threshold (the weights file's calibrated one when absent). Never on streams: their tokens reached the caller.
   */
  answer_check: z.strictObject({ threshold: z.number().min(0).max(1).optional() }).optional(),
  /** Batch prices, for a call sent through the provider's batch API. */
  price_batch_in_micros_per_mtok: micros.optional(),
  price_batch_out_micros_per_mtok: micros.optional(),
});
export type RouteTarget = z.infer<typeof routeTarget>;

/** One policy's say in a route plan: which rule fired, with what score, and what it did. */
export const routeDecision = z.object({
  policy: z.string().max(64),
  rule: z.string().max(128),
  score: z.number().optional(),
  effect: z.string().max(256),
});
export type RouteDecision = z.infer<typeof routeDecision>;

/** The steps after the last target: the cached answer (exact cache key), then a graceful degradation message. */
export const routeFallback = z.object({
  cached_answer: z.boolean(),
  degradation_message: z.string().max(512),
});
export type RouteFallback = z.infer<typeof routeFallback>;

export const routePlan = z.object({
  policy: z.string().max(128),
  reason: z.string().max(512),
  /** Primary first, then fallbacks in order. */
  targets: z.array(routeTarget).min(1).max(8),
  /** Every policy decision that shaped the targets, in the order they were applied (routing issue). */
  decisions: z.array(routeDecision).max(32).optional(),
  task: z.string().max(64).optional(),
  /** The learned complexity score (probability the small model answers wrongly) and the scorer's version. */
  complexity: z
    .object({
      score: z.number().min(0).max(1),
      /** What the threshold applies to: the score, or the score per prompt token (cost-aware scorer). */
      routing_value: z.number().min(0).optional(),
      threshold: z.number(),
      scorer: z.string().max(64),
    })
    .optional(),
  /** True when the router removed the request's tools (budget policy). */
  tools_removed: z.boolean().optional(),
  fallback: routeFallback.optional(),
});
export type RoutePlan = z.infer<typeof routePlan>;

/** llm.inference.v1: a routed request with its plan. */
export const inferenceRequestV1 = routeRequestV1.extend({ plan: routePlan });
export type InferenceRequestV1 = z.infer<typeof inferenceRequestV1>;
