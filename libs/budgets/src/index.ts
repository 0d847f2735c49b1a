export { BudgetStore, type BudgetState, type BudgetSubject, type ReserveResult, type SettleCall } from './budget.store';
export { nextPeriodStart, periodKey, PERIOD_TTL_S, type BudgetPeriod, type BudgetScope } from './budget-periods';
