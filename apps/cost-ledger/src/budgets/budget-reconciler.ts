import { nextPeriodStart, type BudgetPeriod, type BudgetScope, type BudgetStore } from '@llm/budgets';
import type { Logger } from '@llm/telemetry';
import type { BudgetStateRepository } from './budget-state.repository';

function periodBounds(period: BudgetPeriod, at: Date): [Date, Date] {
  const start = period === 'day' ? new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate())) : new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  return [start, nextPeriodStart(period, at)];
}

/**
 * Rebuilds the live budget state from Postgres (the ledger is the truth): spent per tenant (always) and per
 * user/feature that has a budget, with limits, for the current periods and the next ones (so a rollover
 * starts with its limits in place). Reservations in flight are left alone. The caller runs it between
 * ingestion batches so no recorded-but-unsettled row is counted twice or missed.
 */
export class BudgetReconciler {
  constructor(
    private readonly repo: BudgetStateRepository,
    private readonly store: BudgetStore,
    private readonly log: Logger,
  ) {}

  async reconcile(now = new Date(), tenantId?: string): Promise<number> {
    const limits = await this.repo.limits(tenantId);
    const limitOf = new Map(limits.map((l) => [`${l.tenantId}|${l.scope}|${l.subject}|${l.period}`, l]));
    let published = 0;
    for (const period of ['day', 'month'] as const) {
      for (const at of [now, nextPeriodStart(period, now)]) {
        const [from, to] = periodBounds(period, at);
        for (const scope of ['tenant', 'user', 'feature'] as const satisfies readonly BudgetScope[]) {
          const spent = new Map((await this.repo.spent(scope, from, to, tenantId)).map((s) => [`${s.tenantId}|${scope}|${s.subject}|${period}`, s]));
          const keys = new Set([...limits.filter((l) => l.scope === scope && l.period === period).map((l) => `${l.tenantId}|${scope}|${l.subject}|${period}`)]);
          // Tenants' own spend is tracked with or without a budget; users and features only with one.
          if (scope === 'tenant') for (const k of spent.keys()) keys.add(k);
          for (const key of keys) {
            const [tenant, , subject] = key.split('|') as [string, string, string];
            const s = spent.get(key);
            const l = limitOf.get(key);
            await this.store.publish(tenant, scope, subject, period, at, {
              spentMicros: s?.micros ?? 0n,
              spentTokens: s?.tokens ?? 0n,
              limitMicros: l?.limitMicros ?? null,
              limitTokens: l?.limitTokens ?? null,
            });
            published++;
          }
        }
      }
    }
    this.log.debug({ published }, 'budget state reconciled');
    return published;
  }
}
