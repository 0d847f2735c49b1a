import { collectionName, ingestDocument, type IngestDocument } from '@llm/contracts';
import { summarizeIssues } from '@llm/config';
import { z } from 'zod';
import { KnowledgeError } from '../../../knowledge/knowledge.errors';

const documents = z.array(ingestDocument).min(1).max(100);

/** Documents to ingest into one tenant's collection; validated here, whichever transport brought them. */
export class IngestDocumentsCommand {
  private constructor(
    readonly tenantId: string,
    readonly collection: string,
    readonly documents: IngestDocument[],
    readonly jobId?: string,
  ) {}

  static create(input: { tenantId: string; collection: unknown; documents: unknown; jobId?: string }): IngestDocumentsCommand {
    const name = collectionName.safeParse(input.collection);
    if (!name.success) throw new KnowledgeError('INVALID_REQUEST', 'collection names are 1-63 characters: lowercase letters, digits, - and _');
    const docs = documents.safeParse(input.documents);
    if (!docs.success) throw new KnowledgeError('INVALID_REQUEST', `invalid documents: ${summarizeIssues(docs.error.issues)}`);
    return new IngestDocumentsCommand(input.tenantId, name.data, docs.data, input.jobId);
  }
}
