import { readFileSync } from 'node:fs';
import { issueLines } from '@llm/config';
import { DEFAULT_PLANS, planSchema, plansSchema, type Plan, type Plans } from './plan.schema';

/** Admission plans kept in Postgres (set through the cost ledger's admin API): definitions, and tenants' plans. */
export interface StoredPlans {
  plans: Record<string, unknown>;
  tenants: Record<string, string>;
}

export interface PlanSubject {
  tenantId: string;
  tier: 'paid' | 'free';
  apiKeyId?: string;
}

export interface EffectivePlan extends Plan {
  id: string;
}

/**
 * The plan of a caller: the tenant's assigned plan (or its tier's), with the key's overrides applied. Plans are
 * in memory (the plans file or built-in ones, with Postgres's plans laid over them by PlanSync), so resolving
 * one costs no I/O; the merged result is memoized per key until the plans change.
 */
export class PlanBook {
  private readonly memo = new Map<string, EffectivePlan>();
  private plans: Plans;

  constructor(private readonly base: Plans = DEFAULT_PLANS) {
    this.plans = base;
  }

  /**
   * Lays the stored plans over the base ones: a stored plan replaces a file plan of the same id, a stored
   * assignment a file one. A stored plan that is not a valid admission plan is skipped (with its tenants), never
   * applied half-way; its id is returned so the caller can say so.
   */
  overlay(stored: StoredPlans): { skipped: string[] } {
    const plans: Plans['plans'] = { ...this.base.plans };
    const skipped: string[] = [];
    for (const [id, definition] of Object.entries(stored.plans)) {
      const parsed = planSchema.safeParse(definition);
      if (parsed.success) plans[id] = parsed.data;
      else skipped.push(id);
    }
    const tenants = { ...this.base.tenants };
    for (const [tenant, plan] of Object.entries(stored.tenants)) if (Object.hasOwn(plans, plan)) tenants[tenant] = plan;
    this.plans = { ...this.base, plans, tenants };
    this.memo.clear();
    return { skipped };
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
    const override = subject.apiKeyId !== undefined && Object.hasOwn(this.plans.keys, subject.apiKeyId) ? this.plans.keys[subject.apiKeyId] : undefined;
    if (!override) return { id, ...base };
    return {
      id,
      ...base,
      limits: { ...base.limits, key: { ...base.limits.key, ...override.limits } },
      concurrency: { ...base.concurrency, ...override.concurrency },
    };
  }
}
