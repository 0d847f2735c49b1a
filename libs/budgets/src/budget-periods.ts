export type BudgetScope = 'tenant' | 'user' | 'feature';
export type BudgetPeriod = 'day' | 'month';

/** UTC period keys: dYYYYMMDD and mYYYYMM. */
export function periodKey(period: BudgetPeriod, at: Date): string {
  const y = at.getUTCFullYear();
  const m = String(at.getUTCMonth() + 1).padStart(2, '0');
  return period === 'day' ? `d${y}${m}${String(at.getUTCDate()).padStart(2, '0')}` : `m${y}${m}`;
}

/** The start of the next period (reconciliation publishes it ahead, so a rollover never starts without limits). */
export function nextPeriodStart(period: BudgetPeriod, at: Date): Date {
  return period === 'day' ? new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1)) : new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
}

/** Day states outlive their day by two days, month states their month by a week: late settlements still land. */
export const PERIOD_TTL_S: Record<BudgetPeriod, number> = { day: 3 * 86_400, month: 38 * 86_400 };
