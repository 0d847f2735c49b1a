import { z } from 'zod';

const id = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/);
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
    route_model: id.optional(),
  })
  .refine((s) => s.action !== 'route' || s.route_model !== undefined, { message: 'action `route` needs a route_model', path: ['route_model'] });

export const planSchema = z.strictObject({
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
  models: z.array(id).default([]),
  screening: screeningSchema.default({ pattern_set: 'default', action: 'tag' }),
});

/** Per-key overrides replace single limits of the key's plan. */
export const keyOverrideSchema = z.strictObject({
  limits: scopeLimitsSchema.partial().optional(),
  concurrency: concurrencySchema.partial().optional(),
});

export const plansSchema = z
  .strictObject({
    plans: z.record(id, planSchema),
    /** The plan of a tenant that has none assigned, by tenant tier. */
    tier_plans: z.strictObject({ free: id, paid: id }),
    /** Tenant id → plan id. */
    tenants: z.record(z.string().min(1), id).default({}),
    /** API key id → overrides of the key scope. */
    keys: z.record(z.string().min(1), keyOverrideSchema).default({}),
  })
  .superRefine((p, ctx) => {
    const known = (plan: string) => Object.hasOwn(p.plans, plan);
    for (const [tier, plan] of Object.entries(p.tier_plans)) if (!known(plan)) ctx.addIssue({ code: 'custom', message: `unknown plan ${plan}`, path: ['tier_plans', tier] });
    for (const [tenant, plan] of Object.entries(p.tenants)) if (!known(plan)) ctx.addIssue({ code: 'custom', message: `unknown plan ${plan}`, path: ['tenants', tenant] });
  });

export type ScopeLimits = z.infer<typeof scopeLimitsSchema>;
export type Plan = z.infer<typeof planSchema>;
export type Plans = z.infer<typeof plansSchema>;
export type LimitScope = keyof Plan['limits'];

/**
 * Built-in plans when no plans file is configured: generous enough that they never bind in development or
 * benchmarks, while still stating the model access of each tier. Real deployments set ADMISSION_PLANS_PATH.
 */
export const DEFAULT_PLANS: Plans = plansSchema.parse({
  plans: {
    free: {
      band: 'realtime-free',
      limits: { key: { requests_per_minute: 6_000 }, tenant: { requests_per_minute: 12_000, tokens_per_minute: 20_000_000 } },
      concurrency: { tenant: 512, key: 256 },
      model_tiers: ['small'],
    },
    paid: {
      band: 'realtime-paid',
      limits: { tenant: { requests_per_minute: 600_000 } },
      concurrency: { tenant: 4_096 },
      model_tiers: ['small', 'medium', 'large'],
    },
  },
  tier_plans: { free: 'free', paid: 'paid' },
});
