import { z } from 'zod';
import { isoDateTime, micros, tenantId } from '../ids';

/** provider_misconfigured: a provider refused our credentials or deployment (401/403/404), raised by the inference worker. */
export const alertKind = z.enum(['hourly_spend_spike', 'expensive_request', 'daily_budget_threshold', 'provider_misconfigured']);

/** llm.alerts.v1: a spend alert raised by cost-ledger, or an operational alert raised by a worker. */
export const alertV1 = z.object({
  alert_id: z.uuid(),
  tenant_id: tenantId,
  kind: alertKind,
  severity: z.enum(['info', 'warning', 'critical']),
  message: z.string().max(1024),
  value_micros: micros,
  threshold_micros: micros,
  raised_at: isoDateTime,
});
export type AlertV1 = z.infer<typeof alertV1>;
