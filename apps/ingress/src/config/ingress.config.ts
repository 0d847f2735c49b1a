import { bool, csv, databaseSchema, httpPort, kafkaSchema, loadConfig, nonNegativeInt, positiveInt, redisSchema, serviceSchema } from '@llm/config';
import type { Priority } from '@llm/contracts';
import { MAX_MESSAGE_BYTES } from '@llm/kafka';
import { z } from 'zod';

const MIB = 1024 * 1024;

/** Room in a Kafka message for the request envelope and what later stages add (RAG context, route plan). */
export const KAFKA_ENVELOPE_HEADROOM_BYTES = MIB;

export const ingressConfigSchema = serviceSchema
  .extend(kafkaSchema.shape)
  .extend(redisSchema.shape)
  .extend(databaseSchema.shape)
  .extend(httpPort(8080).shape)
  .extend({
    /** How long a sync call holds the connection before answering 504 with the request id to poll. */
    SYNC_TIMEOUT_MS: positiveInt(120_000),
    STATUS_TTL_S: positiveInt(86_400),
    /** Authenticated keys are remembered this long, so a request costs no database round trip. */
    AUTH_CACHE_TTL_MS: positiveInt(30_000),
    /** JSON body limit in bytes. A request must fit one Kafka message (the topics' max.message.bytes). */
    BODY_LIMIT_BYTES: positiveInt(3 * MIB),
    /** Time budget of a request from acceptance, per band: past it, every stage ends the request as EXPIRED. */
    DEADLINE_REALTIME_PAID_S: positiveInt(120),
    DEADLINE_REALTIME_FREE_S: positiveInt(120),
    DEADLINE_BATCH_S: positiveInt(86_400),
    /**
     * A request id claimed this recently whose publish is not confirmed is still being accepted elsewhere: a
     * duplicate is told to retry rather than publishing it a second time. Older unconfirmed claims are
     * ambiguous acceptances (the publish timed out) and are re-published. At least the producer's timeout.
     */
    ACCEPTANCE_IN_PROGRESS_MS: positiveInt(30_000),
    /**
     * Exact-cache fast path (ADR 0008): ingress answers an exact hit from Redis itself instead of sending it
     * through Kafka to the cache service. false sends every request the long way.
     */
    EXACT_CACHE_FAST_PATH: bool(true),
    /**
     * After a fast-path miss, publish straight to retrieval or routing while the cache service announces that it
     * runs no semantic lookup (ADR 0018): one Kafka hop fewer. false always goes through the cache stage.
     */
    CACHE_STAGE_SKIP: bool(true),
    /** The cache service's temperature policy (its EXACT_CACHE_SAMPLED); set both alike. */
    EXACT_CACHE_SAMPLED: bool(false),
    /** The router's model catalog: ingress judges model access and lists /v1/models with it. */
    MODEL_CATALOG_PATH: z.string().min(1).default('infra/catalog/models.json'),
    /** Plans, their limits and per-key overrides (JSON, see infra/plans/plans.example.json); built-in plans when unset. */
    ADMISSION_PLANS_PATH: z.string().min(1).optional(),
    /** How often plans set through the admin API are re-read from Postgres (besides the change notification). */
    ADMISSION_PLANS_REFRESH_MS: positiveInt(30_000),
    /** Rate limits, concurrency caps and load shedding; false admits everything a plan's model access allows (benchmarks). */
    ADMISSION_LIMITS: bool(true),
    /** Reserve each request's worst-case cost on its budgets (libs/budgets) at admission; false skips it (benchmarks). */
    ADMISSION_BUDGETS: bool(true),
    /** Completion tokens reserved for a request that sets no max_tokens (further capped by the model's context window). */
    BUDGET_DEFAULT_MAX_TOKENS: positiveInt(4_096),
    /** A connection's concurrency slot outlives the longest wait by this much, then frees itself (its holder crashed). */
    CONCURRENCY_SLOT_GRACE_MS: positiveInt(10_000),
    /** Consumer group whose lag on llm.requests.v1 measures the backlog (the cache service, its first consumer). */
    SHED_GROUP_ID: z.string().min(1).default('cache'),
    /** The router's group: its backlog on llm.route.v1 counts too (misses that skipped the cache stage wait there). */
    SHED_ROUTE_GROUP_ID: z.string().min(1).default('router'),
    /** Backlog (messages) past which new batch work is refused; 0 = never. */
    SHED_LAG_BATCH: nonNegativeInt(200_000),
    /** Backlog of the realtime bands past which realtime-free work is refused; 0 = never. */
    SHED_LAG_REALTIME_FREE: nonNegativeInt(50_000),
    /** Backlog of the realtime-paid band past which paid work is refused; 0 = never. */
    SHED_LAG_REALTIME_PAID: nonNegativeInt(200_000),
    /** How long one lag reading is used. */
    SHED_LAG_CACHE_MS: positiveInt(1_000),
    SHED_RETRY_AFTER_S: positiveInt(5),
    /** Per-tenant HMAC secrets of inbound upstreams (JSON, docs/inbound-signing.md); a tenant listed there must sign. */
    INBOUND_SIGNING_KEYS_PATH: z.string().min(1).optional(),
    /** Refuse unsigned inbound events of every tenant (production); false lets tenants without secrets send unsigned. */
    INBOUND_REQUIRE_SIGNATURE: bool(false),
    /** Tenants whose inbound outcomes go to their own reply topic llm.replies.<tenant>.v1 (created with the tenant). */
    INBOUND_REPLY_TENANTS: csv.default([]),
  })
  .refine((c) => c.BODY_LIMIT_BYTES + KAFKA_ENVELOPE_HEADROOM_BYTES <= MAX_MESSAGE_BYTES, {
    message: `BODY_LIMIT_BYTES must leave ${KAFKA_ENVELOPE_HEADROOM_BYTES} bytes of the topics' ${MAX_MESSAGE_BYTES}-byte max.message.bytes for the envelope`,
    path: ['BODY_LIMIT_BYTES'],
  })
  .refine((c) => c.ACCEPTANCE_IN_PROGRESS_MS >= c.KAFKA_DELIVERY_TIMEOUT_MS, {
    message: 'ACCEPTANCE_IN_PROGRESS_MS must be at least KAFKA_DELIVERY_TIMEOUT_MS (a publish may still land until then)',
    path: ['ACCEPTANCE_IN_PROGRESS_MS'],
  });
export type IngressConfig = z.infer<typeof ingressConfigSchema>;

export const loadIngressConfig = (): IngressConfig => loadConfig(ingressConfigSchema);

/** The parsed config, injected as one typed object (INGRESS_CONFIG) instead of one token per number. */
export const INGRESS_CONFIG = Symbol('INGRESS_CONFIG');

export function deadlineBudgetS(config: Pick<IngressConfig, 'DEADLINE_REALTIME_PAID_S' | 'DEADLINE_REALTIME_FREE_S' | 'DEADLINE_BATCH_S'>, priority: Priority): number {
  switch (priority) {
    case 'realtime-paid':
      return config.DEADLINE_REALTIME_PAID_S;
    case 'realtime-free':
      return config.DEADLINE_REALTIME_FREE_S;
    case 'batch':
      return config.DEADLINE_BATCH_S;
  }
}
