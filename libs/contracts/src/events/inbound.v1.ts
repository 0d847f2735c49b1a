import { z } from 'zod';
import { opaqueId, tenantId } from '../ids';
import { chatRequestBody } from './chat';
import { ragOptions } from './request.v1';

/**
 * llm.inbound.v1: what an upstream system publishes. `request_id` is the caller's own id and doubles as the
 * idempotency key, so a redelivered or re-sent event creates one request, not two.
 */
export const inboundRequestV1 = z.object({
  request_id: z.uuid(),
  tenant_id: tenantId,
  user_id: opaqueId.optional(),
  feature: opaqueId.optional(),
  priority: z.enum(['realtime', 'batch']).default('batch'),
  body: chatRequestBody,
  rag: ragOptions.optional(),
});
export type InboundRequestV1 = z.infer<typeof inboundRequestV1>;
