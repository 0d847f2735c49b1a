import { readFileSync } from 'node:fs';
import { apiKeyOverridesSchema, type ApiKeyOverrides } from '@llm/contracts';
import { issueLines } from '@llm/config';
import type { KeyAccess } from './model-access';
import { DEFAULT_PLANS, planSchema, plansSchema, type Plan, type Plans } from './plan.schema';

/**
 * Admission plans kept in Postgres (set through the cost ledger's admin API): definitions, tenants' plans, and
 * API keys' overrides (by key id).
 */
export interface StoredPlans {
  plans: Record<string, unknown>;
  tenants: Record<string, string>;
  keys?: Record<string, unknown>;
}

export interface PlanSubject {
  tenantId: string;
  tier: 'paid' | 'free';
  apiKeyId?: string;
}

export interface EffectivePlan extends Plan {
  id: string;
  /** The caller's key may use only these of what the plan allows (a stored key override); absent: the plan's. */
  key_access?: KeyAccess;
}

/**
 * The plan of a caller: the tenant's assigned plan (or its tier's), with the key's overrides applied. Plans are
 * in memory (the plans file or built-in ones, with Postgres's plans laid over them by PlanSync), so resolving
 * one costs no I/O; the merged result is memoized per key until the plans change.
 */
export class PlanBook {
  private readonly memo = new Map<string, EffectivePlan>();
  private plans: Plans;
  private storedKeys = new Map<string, ApiKeyOverrides>();

  constructor(private readonly base: Plans = DEFAULT_PLANS) {
    this.plans = base;
  }

  /**
   * Lays the stored plans over the base ones: a stored plan replaces a file plan of the same id, a stored
   * assignment a file one, a stored key override a file one. A stored plan or key override that is not valid is
   * skipped (a plan with its tenants), never applied half-way; its id is returned so the caller can say so.
   */
  overlay(stored: StoredPlans): { skipped: string[]; skippedKeys: string[] } {
    const plans: Plans['plans'] = { ...this.base.plans };
    const skipped: string[] = [];
    for (const [id, definition] of Object.entries(stored.plans)) {
      const parsed = planSchema.safeParse(definition);
      if (parsed.success) plans[id] = parsed.data;
      else skipped.push(id);
    }
    const tenants = { ...this.base.tenants };
    for (const [tenant, plan] of Object.entries(stored.tenants)) if (Object.hasOwn(plans, plan)) tenants[tenant] = plan;
    const keys = new Map<string, ApiKeyOverrides>();
    const skippedKeys: string[] = [];
    for (const [keyId, overrides] of Object.entries(stored.keys ?? {})) {
      const parsed = apiKeyOverridesSchema.safeParse(overrides);
      if (parsed.success) keys.set(keyId, parsed.data);
      else skippedKeys.push(keyId);
    }
    this.plans = { ...this.base, plans, tenants };
    this.storedKeys = keys;
    this.memo.clear();
    return { skipped, skippedKeys };
  }

  static fromFile(path: string | undefined): PlanBook {
    if (!path) return new PlanBook();
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`cannot read plans file ${path}: ${(err as Error).message}`);
    }
    const parsed = plansSchema.safeParse(raw);
    if (!parsed.success)
      throw new Error(
        `invalid plans file ${path}:\n${issueLines(parsed.error.issues)
          .map((l) => `  - ${l}`)
          .join('\n')}`,
      );
    return new PlanBook(parsed.data);
  }

  resolve(subject: PlanSubject): EffectivePlan {
    const memoKey = `${subject.tenantId}\u0000${subject.tier}\u0000${subject.apiKeyId ?? ''}`;
    let plan = this.memo.get(memoKey);
    if (!plan) {
      plan = this.merge(subject);
      if (this.memo.size > 50_000) this.memo.clear();
      this.memo.set(memoKey, plan);
    }
    return plan;
  }

  private merge(subject: PlanSubject): EffectivePlan {
    const id = (Object.hasOwn(this.plans.tenants, subject.tenantId) ? this.plans.tenants[subject.tenantId] : undefined) ?? this.plans.tier_plans[subject.tier];
    const base = this.plans.plans[id]!;
    const keyId = subject.apiKeyId;
    // A key's stored override replaces its file one as a whole: what an admin set is what applies.
    const stored = keyId === undefined ? undefined : this.storedKeys.get(keyId);
    const override = stored ?? (keyId !== undefined && Object.hasOwn(this.plans.keys, keyId) ? this.plans.keys[keyId] : undefined);
    if (!override) return { id, ...base };
    const merged: EffectivePlan = {
      id,
      ...base,
      limits: { ...base.limits, key: { ...base.limits.key, ...override.limits } },
      concurrency: { ...base.concurrency, ...override.concurrency },
    };
    if (stored && (stored.model_tiers !== undefined || stored.models !== undefined)) merged.key_access = { model_tiers: stored.model_tiers ?? [], models: stored.models ?? [] };
    return merged;
  }
}
