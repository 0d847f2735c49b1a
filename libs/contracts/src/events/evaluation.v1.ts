import { z } from 'zod';
import { isoDateTime, requestId, tenantId } from '../ids';

/** llm.evaluations.v1: one judge's verdict on one result. */
export const evaluationV1 = z.object({
  evaluation_id: z.uuid(),
  request_id: requestId,
  tenant_id: tenantId,
  judge: z.string().max(64),
  model: z.string().max(128).optional(),
  score: z.number().min(0).max(1),
  passed: z.boolean(),
  details: z.string().max(4096).optional(),
  evaluated_at: isoDateTime,
});
export type EvaluationV1 = z.infer<typeof evaluationV1>;
