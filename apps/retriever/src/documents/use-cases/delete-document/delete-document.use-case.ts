import { Injectable } from '@nestjs/common';
import { Topics } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { KnowledgeIndex } from '../../../knowledge/knowledge.index';
import { KnowledgeError } from '../../../knowledge/knowledge.errors';
import { KnowledgeRepository } from '../../../knowledge/knowledge.repository';

/** Removes a document: its row and chunks (one statement), then every vector of every version it had. */
@Injectable()
export class DeleteDocumentUseCase {
  constructor(
    private readonly repository: KnowledgeRepository,
    private readonly index: KnowledgeIndex,
    private readonly events: EventPublisher,
  ) {}

  async execute(tenantId: string, collection: string, documentId: string): Promise<{ document_id: string; deleted_version: number }> {
    const version = await this.repository.deleteDocument(tenantId, collection, documentId);
    if (version === undefined) throw new KnowledgeError('DOCUMENT_NOT_FOUND', `no document ${documentId} in collection ${collection}`);
    await this.index.deleteVectors(tenantId, { collection, document_id: documentId });
    await this.events.publish(Topics.cachePurge, { tenant_id: tenantId, collection, reason: 'document deleted', requested_at: new Date().toISOString() });
    return { document_id: documentId, deleted_version: version };
  }
}
