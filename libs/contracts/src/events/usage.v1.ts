import { z } from 'zod';
import { isoDateTime, micros, opaqueId, requestId, tenantId, tokenCount } from '../ids';

/**
 * llm.usage.v1: tokens and cost of one attempt at one request. (request_id, attempt) is the idempotency key:
 * the ledger records each pair once however often it is delivered.
 */
export const usageV1 = z.object({
  request_id: requestId,
  attempt: z.number().int().min(1),
  tenant_id: tenantId,
  user_id: opaqueId.optional(),
  feature: opaqueId.optional(),
  model: z.string().max(128),
  provider: z.string().max(64),
  source: z.enum(['cache', 'model']),
  status: z.enum(['succeeded', 'failed']),
  tokens_in: tokenCount,
  tokens_out: tokenCount,
  cost_micros: micros,
  latency_ms: z.number().int().min(0),
  occurred_at: isoDateTime,
});
export type UsageV1 = z.infer<typeof usageV1>;
