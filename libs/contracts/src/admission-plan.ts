import { z } from 'zod';

/**
 * An admission plan (ingress's limits, connection and in-flight caps, model access, prompt screening): written by
 * the cost ledger's admin API into Postgres (`plans.admission`) or read from a plans file, enforced by ingress.
 */
const planRef = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/);
const limit = z.number().int().positive().optional();

/** Limits of one scope (an API key, a tenant, a tenant's use of one model, a tenant's user); absent = unlimited. */
export const scopeLimitsSchema = z.strictObject({
  requests_per_minute: limit,
  requests_per_day: limit,
  tokens_per_minute: limit,
  tokens_per_day: limit,
});

export const concurrencySchema = z.strictObject({
  /** Open sync/SSE connections of the whole tenant; absent = unlimited. */
  tenant: limit,
  /** Open sync/SSE connections of one API key. */
  key: limit,
  /** Requests of the tenant admitted and not yet finished, in any mode (async and Kafka inbound included). */
  in_flight_tenant: limit,
  /** The same for one API key (the Kafka inbound topic counts as one key of its tenant). */
  in_flight_key: limit,
});

/** Prompt-injection screening of user turns: which pattern set, and what a match does. */
export const screeningSchema = z
  .strictObject({
    pattern_set: z.enum(['default', 'strict', 'off']).default('default'),
    /** tag: admit and say so (header, metrics); block: refuse with PROMPT_INJECTION; route: send to `route_model`. */
    action: z.enum(['tag', 'block', 'route']).default('tag'),
    route_model: planRef.optional(),
  })
  .refine((s) => s.action !== 'route' || s.route_model !== undefined, { message: 'action `route` needs a route_model', path: ['route_model'] });

export const admissionPlanSchema = z.strictObject({
  /** The band a realtime request of this plan runs in (`batch` is always the caller's choice). */
  band: z.enum(['realtime-paid', 'realtime-free']),
  limits: z
    .strictObject({
      key: scopeLimitsSchema.default({}),
      tenant: scopeLimitsSchema.default({}),
      model: scopeLimitsSchema.default({}),
      user: scopeLimitsSchema.default({}),
    })
    .default({ key: {}, tenant: {}, model: {}, user: {} }),
  concurrency: concurrencySchema.default({}),
  /** Catalog tiers the plan may use. */
  model_tiers: z.array(z.enum(['small', 'medium', 'large'])).min(1),
  /** Catalog models allowed beyond the tiers. */
  models: z.array(planRef).default([]),
  screening: screeningSchema.default({ pattern_set: 'default', action: 'tag' }),
});

export type AdmissionPlan = z.infer<typeof admissionPlanSchema>;
export type ScopeLimits = z.infer<typeof scopeLimitsSchema>;

const modelTier = z.enum(['small', 'medium', 'large']);

/**
 * Per-API-key admission overrides, kept on the key's row (`api_keys.admission_overrides`) and set through the
 * cost ledger's admin API. Key-scope rate limits and key caps replace the plan's (the tenant, model and user
 * limits of the plan still bind, so a key never buys its tenant more than its plan); model access only narrows
 * the plan's: a key restricted to tiers or models may use what both the plan and the key allow.
 */
export const apiKeyOverridesSchema = z
  .strictObject({
    limits: scopeLimitsSchema.optional(),
    concurrency: concurrencySchema.pick({ key: true, in_flight_key: true }).optional(),
    model_tiers: z.array(modelTier).max(3).optional(),
    models: z.array(planRef).max(100).optional(),
  })
  .refine((o) => (o.model_tiers === undefined && o.models === undefined) || (o.model_tiers?.length ?? 0) + (o.models?.length ?? 0) > 0, {
    message: 'a key restricted to models needs at least one tier or model',
    path: ['model_tiers'],
  });

export type ApiKeyOverrides = z.infer<typeof apiKeyOverridesSchema>;
