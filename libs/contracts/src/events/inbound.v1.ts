import { z } from 'zod';
import { opaqueId, tenantId } from '../ids';
import { chatRequestBody } from './chat';
import { ragOptions } from './request.v1';

/**
 * llm.inbound.v1: what an upstream system publishes. `request_id` is the upstream's own id. It is scoped by the
 * tenant: the platform's request id is derived from (tenant, upstream id), so a re-sent event is the same
 * request (answered and charged once) and one tenant's ids can never reach another tenant's requests.
 */
export const inboundRequestV1 = z.object({
  request_id: opaqueId,
  tenant_id: tenantId,
  user_id: opaqueId.optional(),
  feature: opaqueId.optional(),
  priority: z.enum(['realtime', 'batch']).default('batch'),
  body: chatRequestBody,
  rag: ragOptions.optional(),
});
export type InboundRequestV1 = z.infer<typeof inboundRequestV1>;
