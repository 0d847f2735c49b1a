import { z } from 'zod';
import { isoDateTime, opaqueId, tenantId } from '../ids';

/**
 * llm.cache-purge.v1: retire cached answers of one tenant, all of them or those of one feature or RAG
 * collection. The cache bumps the matching version key (so no old entry can hit again) and deletes the entries.
 */
export const cachePurgeV1 = z.object({
  tenant_id: tenantId,
  feature: opaqueId.optional(),
  collection: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/)
    .optional(),
  reason: z.string().max(256).optional(),
  requested_at: isoDateTime,
});
export type CachePurgeV1 = z.infer<typeof cachePurgeV1>;
