import { z } from 'zod';
import { isoDateTime, opaqueId, tenantId } from '../ids';

export const collectionName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/);
export const documentId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/);
export const documentFormat = z.enum(['text', 'markdown', 'html']);

/** Metadata a document carries onto every chunk, for search filters: flat strings, numbers and booleans. */
export const documentMetadata = z
  .record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/), z.union([z.string().max(256), z.number(), z.boolean()]))
  .refine((m) => Object.keys(m).length <= 16, 'at most 16 metadata fields');

/** One document to ingest; ingesting an existing id replaces it (a new version). */
export const ingestDocument = z.object({
  document_id: documentId,
  content: z.string().min(1).max(2_000_000),
  format: documentFormat.default('text'),
  title: z.string().max(256).optional(),
  metadata: documentMetadata.optional(),
});
export type IngestDocument = z.infer<typeof ingestDocument>;

/**
 * llm.rag-ingest.v1: bulk ingestion of documents into one tenant's collection. `job_id` names the job whose
 * progress the retriever reports (GET /v1/ingest-jobs/{id}); a message may carry part of a larger job.
 */
export const ragIngestV1 = z.object({
  tenant_id: tenantId,
  collection: collectionName,
  job_id: opaqueId,
  documents: z.array(ingestDocument).min(1).max(100),
  requested_at: isoDateTime,
});
export type RagIngestV1 = z.infer<typeof ragIngestV1>;
