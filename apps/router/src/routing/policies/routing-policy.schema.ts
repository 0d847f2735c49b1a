import { issueLines } from '@llm/config';
import { PRIORITIES, tenantId } from '@llm/contracts';
import { z } from 'zod';

export const TIERS = ['small', 'medium', 'large'] as const;
export type Tier = (typeof TIERS)[number];
const tier = z.enum(TIERS);

export const TASK_TYPES = ['classification', 'extraction', 'intent', 'rag_answer', 'reasoning', 'summary_long', 'code', 'general'] as const;
export type TaskType = (typeof TASK_TYPES)[number];
const task = z.enum(TASK_TYPES);

/** Each policy is a section; a tenant override replaces only the keys it names (STYLE.md §6: validated data). */
const sections = {
  /** Tiers this tenant may be routed to at all (e.g. mirror a plan that allows small models only). */
  access: z.strictObject({ allowed_tiers: z.array(tier).min(1) }),
  tasks: z.strictObject({
    enabled: z.boolean(),
    /** Tier per task type; null leaves the choice to the complexity scorer. */
    tiers: z.record(task, tier.nullable()),
    /** The request's `feature` → task type, so a known feature never needs the classifier. */
    features: z.record(z.string().max(64), task),
    /** A summary request at least this long (prompt tokens) is a long summary. */
    long_summary_tokens: z.number().int().positive(),
  }),
  complexity: z.strictObject({
    enabled: z.boolean(),
    /** Route to the large tier at or above this score; the scorer file's default threshold when absent. */
    threshold: z.number().min(0).max(1).optional(),
    /**
     * Requested model names (aliases, routes) whose tier the score decides for a general task. The scorer is
     * trained on benchmark questions (MMLU, GSM8K), so callers opt in by name; on every other request the score
     * is only recorded in the plan (for evaluation and shadow replay).
     */
    decides_for: z.array(z.string().min(1).max(256)),
  }),
  /** The thresholds are per deployment, calibrated in the catalog (`escalation.min_mean_logprob`): none, no escalation. */
  escalation: z.strictObject({
    enabled: z.boolean(),
  }),
  /**
   * The weak-first cascade: for prompts the answer-check covers (arithmetic word problems, GSM8K-style), the small
   * model answers first and the worker's answer-check decides escalation to the large model. Opted into by requested
   * model name like the complexity scorer (it was trained on benchmark questions); a tenant turns it off with
   * `enabled: false`. `threshold` replaces the weights file's calibrated one (probability the answer is wrong).
   */
  cascade: z.strictObject({
    enabled: z.boolean(),
    applies_to: z.array(z.string().min(1).max(256)),
    threshold: z.number().min(0).max(1).optional(),
  }),
  budget: z.strictObject({
    enabled: z.boolean(),
    /** Share of the tenant's daily budget (spent + reserved) from which only small models are used. */
    small_only_at: z.number().min(0).max(1),
    remove_tools: z.boolean(),
  }),
  load: z.strictObject({
    enabled: z.boolean(),
    /** Inference lag (messages not yet taken by the workers) from which low-priority work goes to small models. */
    downgrade_lag: z.number().int().min(0),
    /** Lag from which batch work is deferred (refused as OVERLOADED with Retry-After). */
    defer_lag: z.number().int().min(0),
    low_priorities: z.array(z.enum(PRIORITIES)),
    retry_after_s: z.number().int().min(1).max(3_600),
  }),
  context: z.strictObject({
    enabled: z.boolean(),
    /** Completion tokens reserved in the window check when the request sets no max_tokens. */
    output_reserve_tokens: z.number().int().min(0),
  }),
  health: z.strictObject({
    /** A deployment with at least min_calls outcomes in the last minutes and this error share is unhealthy. */
    min_calls: z.number().int().min(1),
    max_error_rate: z.number().min(0).max(1),
  }),
  fallback: z.strictObject({
    cached_answer: z.boolean(),
    degradation_message: z.string().min(1).max(512),
    retry_after_s: z.number().int().min(1).max(3_600),
  }),
};

export const policySettingsSchema = z.strictObject(sections);
export type PolicySettings = z.infer<typeof policySettingsSchema>;

const overrideSchema = z.strictObject({
  access: sections.access.partial().optional(),
  tasks: sections.tasks
    .extend({ tiers: z.partialRecord(task, tier.nullable()) })
    .partial()
    .optional(),
  complexity: sections.complexity.partial().optional(),
  escalation: sections.escalation.partial().optional(),
  cascade: sections.cascade.partial().optional(),
  budget: sections.budget.partial().optional(),
  load: sections.load.partial().optional(),
  context: sections.context.partial().optional(),
  health: sections.health.partial().optional(),
  fallback: sections.fallback.partial().optional(),
});
export type PolicyOverride = z.infer<typeof overrideSchema>;

export const routingPolicySchema = z.strictObject({
  defaults: policySettingsSchema,
  tenants: z.record(tenantId, overrideSchema).default({}),
});
export type RoutingPolicy = z.infer<typeof routingPolicySchema>;

export function parseRoutingPolicy(raw: unknown, source = 'routing policy'): RoutingPolicy {
  const parsed = routingPolicySchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `invalid routing policy ${source}:\n${issueLines(parsed.error.issues)
        .map((l) => `  - ${l}`)
        .join('\n')}`,
    );
  return parsed.data;
}

/** A tenant's effective settings: the defaults with its override applied section by section (maps merged by key). */
export function settingsFor(policy: RoutingPolicy, tenant: string): PolicySettings {
  const o = Object.hasOwn(policy.tenants, tenant) ? policy.tenants[tenant]! : {};
  const d = policy.defaults;
  return {
    access: { ...d.access, ...o.access },
    tasks: { ...d.tasks, ...o.tasks, tiers: { ...d.tasks.tiers, ...o.tasks?.tiers }, features: { ...d.tasks.features, ...o.tasks?.features } },
    complexity: { ...d.complexity, ...o.complexity },
    escalation: { ...d.escalation, ...o.escalation },
    cascade: { ...d.cascade, ...o.cascade },
    budget: { ...d.budget, ...o.budget },
    load: { ...d.load, ...o.load },
    context: { ...d.context, ...o.context },
    health: { ...d.health, ...o.health },
    fallback: { ...d.fallback, ...o.fallback },
  };
}
