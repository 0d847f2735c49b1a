import { readFileSync } from 'node:fs';
import { issueLines } from '@llm/config';
import { DEFAULT_PLANS, plansSchema, type Plan, type Plans } from './plan.schema';

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
 * configuration read once at boot, so resolving one costs no I/O; the merged result is memoized per key.
 */
export class PlanBook {
  private readonly memo = new Map<string, EffectivePlan>();

  constructor(private readonly plans: Plans = DEFAULT_PLANS) {}

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
