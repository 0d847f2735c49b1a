import { admissionPlanSchema, apiKeyOverridesSchema, tenantId } from '@llm/contracts';
import { z } from 'zod';

const micros = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Postgres text and jsonb cannot hold NUL: refused as input rather than failing the insert. */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => !v.includes('\u0000'), { message: 'must not contain NUL characters' });
/** Names are shown in lists and sent in headers: no control characters. */
const label = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((v) => ![...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), { message: 'must not contain control characters' });
const name = label(200);

export const createTenantBody = z.strictObject({ id: tenantId, name, tier: z.enum(['paid', 'free']).default('free'), plan_id: z.string().max(64).optional() });
export const updateTenantBody = z.strictObject({
  name: name.optional(),
  tier: z.enum(['paid', 'free']).optional(),
  status: z.enum(['active', 'suspended']).optional(),
  plan_id: z.string().max(64).nullable().optional(),
});
export const createPlanBody = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
  name,
  tier: z.enum(['paid', 'free']).default('free'),
  daily_budget_micros: micros.optional(),
  monthly_budget_micros: micros.optional(),
  /** What ingress enforces for the plan's tenants (limits, caps, model access, screening); absent: budgets only. */
  admission: admissionPlanSchema.optional(),
});
export const updatePlanBody = z.strictObject({
  name: name.optional(),
  daily_budget_micros: micros.nullable().optional(),
  monthly_budget_micros: micros.nullable().optional(),
  admission: admissionPlanSchema.nullable().optional(),
});
export const createAdminTokenBody = z
  .strictObject({ name, role: z.enum(['platform_admin', 'tenant_admin', 'read_only']), tenant_id: tenantId.optional() })
  .refine((b) => b.role !== 'tenant_admin' || b.tenant_id !== undefined, { message: 'a tenant_admin token needs a tenant_id', path: ['tenant_id'] })
  .refine((b) => b.role !== 'platform_admin' || b.tenant_id === undefined, { message: 'a platform_admin token spans every tenant', path: ['tenant_id'] });
export const createKeyBody = z.strictObject({ name });
/** user budgets name the caller's user id (hashed before it is stored, like usage); feature budgets the feature. */
export const putBudgetBody = z
  .strictObject({
    scope: z.enum(['tenant', 'user', 'feature']),
    user_id: z.string().min(1).max(256).optional(),
    feature: label(128).optional(),
    period: z.enum(['day', 'month']),
    limit_micros: micros.nullable().optional(),
    limit_tokens: micros.nullable().optional(),
  })
  .refine((b) => (b.scope === 'user') === (b.user_id !== undefined) && (b.scope === 'feature') === (b.feature !== undefined), {
    message: 'user budgets need user_id, feature budgets need feature, tenant budgets neither',
  });
export const alertSettingsBody = z.strictObject({
  spike_factor_pct: z.number().int().min(101).max(10_000).optional(),
  expensive_request_micros: micros.optional(),
  budget_thresholds_pct: z.array(z.number().int().min(1).max(1000)).max(10).optional(),
  webhook_url: z.url().nullable().optional(),
  webhook_secret: z.string().min(16).max(256).nullable().optional(),
});
/** A key's admission overrides: ingress's own schema (libs/contracts), so nothing ingress would refuse is stored. */
export const putKeyLimitsBody = apiKeyOverridesSchema;
/** A user of a tenant: `user_id` is the caller's id as sent in x-user-id (hashed before it is stored, like usage). */
export const createUserBody = z.strictObject({ user_id: z.string().min(1).max(256), display_name: text(200).default('') });
export const updateUserBody = z.strictObject({ display_name: text(200) });
/** A feature name as callers send it in x-feature (and usage and budgets record it). */
export const featureName = label(128);
export const createFeatureBody = z.strictObject({ name: featureName, description: text(2000).default('') });
export const updateFeatureBody = z.strictObject({ description: text(2000) });
