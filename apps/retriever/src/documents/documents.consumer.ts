import { Controller } from '@nestjs/common';
import { Topics, type RagIngestV1 } from '@llm/contracts';
import { isRetryable } from '@llm/errors';
import { OnTopic } from '@llm/kafka';
import { KnowledgeRepository } from '../knowledge/knowledge.repository';
import { IngestDocumentsCommand } from './use-cases/ingest-documents/ingest-documents.command';
import { IngestDocumentsUseCase } from './use-cases/ingest-documents/ingest-documents.use-case';

/**
 * Bulk ingestion from llm.rag-ingest.v1 (schema-checked by the transport; invalid messages go to its DLQ).
 * Progress is counted per job; a retryable failure (store down) is rethrown so Kafka redelivers, and documents
 * already stored are recognised by their hash, so a redelivery does not count or embed them twice.
 */
@Controller()
export class DocumentsConsumer {
  constructor(
    private readonly ingest: IngestDocumentsUseCase,
    private readonly repository: KnowledgeRepository,
  ) {}

  @OnTopic(Topics.ragIngest)
  async onIngest(event: RagIngestV1): Promise<void> {
    let done = 0;
    let failed = 0;
    let chunks = 0;
    let lastError: string | undefined;
    for (const document of event.documents) {
      try {
        const [result] = await this.ingest.execute(
          IngestDocumentsCommand.create({ tenantId: event.tenant_id, collection: event.collection, documents: [document], jobId: event.job_id }),
        );
        if (result!.outcome !== 'unchanged') {
          done++;
          chunks += result!.chunks;
        }
      } catch (err) {
        if (isRetryable(err)) throw err;
        failed++;
        lastError = `${document.document_id}: ${(err as Error).message}`.slice(0, 512);
      }
    }
    await this.repository.recordJobProgress(event.tenant_id, event.job_id, event.collection, { done, failed, chunks, lastError });
  }
}
