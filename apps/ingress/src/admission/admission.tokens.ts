import type { IngressConfig } from '../config/ingress.config';

/** The model catalog ingress judges model access with (the router's catalog file). */
export const CATALOG = Symbol('CATALOG');
export const ADMISSION_SETTINGS = Symbol('ADMISSION_SETTINGS');
export type AdmissionSettings = Pick<
  IngressConfig,
  | 'ADMISSION_LIMITS'
  | 'ADMISSION_BUDGETS'
  | 'BUDGET_DEFAULT_MAX_TOKENS'
  | 'ADMISSION_PLANS_REFRESH_MS'
  | 'SYNC_TIMEOUT_MS'
  | 'CONCURRENCY_SLOT_GRACE_MS'
  | 'DEADLINE_REALTIME_PAID_S'
  | 'DEADLINE_REALTIME_FREE_S'
  | 'DEADLINE_BATCH_S'
>;
