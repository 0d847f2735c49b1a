import { admissionPlanSchema, concurrencySchema, scopeLimitsSchema } from '@llm/contracts';
import { z } from 'zod';

export { concurrencySchema, scopeLimitsSchema };
export const planSchema = admissionPlanSchema;
const id = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/);

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
