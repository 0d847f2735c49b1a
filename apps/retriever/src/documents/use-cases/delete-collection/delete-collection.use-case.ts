import { Injectable } from '@nestjs/common';
import { Topics } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { KnowledgeIndex } from '../../../knowledge/knowledge.index';
import { KnowledgeError } from '../../../knowledge/knowledge.errors';
import { KnowledgeRepository } from '../../../knowledge/knowledge.repository';

/** Removes a collection with all its documents, chunks and vectors. */
@Injectable()
export class DeleteCollectionUseCase {
  constructor(
    private readonly repository: KnowledgeRepository,
    private readonly index: KnowledgeIndex,
    private readonly events: EventPublisher,
  ) {}

  async execute(tenantId: string, collection: string): Promise<{ collection: string; deleted: true }> {
    if (!(await this.repository.deleteCollection(tenantId, collection))) throw new KnowledgeError('COLLECTION_NOT_FOUND', `no collection ${collection}`);
    await this.index.deleteVectors(tenantId, { collection });
    this.index.forget(tenantId, collection);
    await this.events.publish(Topics.cachePurge, { tenant_id: tenantId, collection, reason: 'collection deleted', requested_at: new Date().toISOString() });
    return { collection, deleted: true };
  }
}
