import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Topics, type IngestDocument } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { chunkDocument } from '@llm/rag';
import { chunkId, chunkPayload, KnowledgeIndex } from '../../../knowledge/knowledge.index';
import { KnowledgeError } from '../../../knowledge/knowledge.errors';
import { KnowledgeRepository } from '../../../knowledge/knowledge.repository';
import type { IngestDocumentsCommand } from './ingest-documents.command';

export interface IngestedDocument {
  document_id: string;
  version: number;
  chunks: number;
  tokens: number;
  /** `created`, `replaced` (a new version) or `unchanged` (same content: nothing re-embedded). */
  outcome: 'created' | 'replaced' | 'unchanged';
}

/**
 * Chunks, embeds and stores documents. A document id ingested again is a new version: its new chunks are
 * written under new point ids first, then the document row switches to them, then the old version's vectors
 * go, so a search never finds the document missing. Same content again (a Kafka redelivery, a re-upload) is
 * recognised by its hash and changes nothing. Cached answers grounded in the collection are retired.
 */
@Injectable()
export class IngestDocumentsUseCase {
  constructor(
    private readonly repository: KnowledgeRepository,
    private readonly index: KnowledgeIndex,
    private readonly events: EventPublisher,
  ) {}

  async execute(command: IngestDocumentsCommand): Promise<IngestedDocument[]> {
    const out: IngestedDocument[] = [];
    for (const doc of command.documents) out.push(await this.ingest(command.tenantId, command.collection, doc));
    if (out.some((d) => d.outcome !== 'unchanged')) {
      await this.events.publish(Topics.cachePurge, {
        tenant_id: command.tenantId,
        collection: command.collection,
        reason: 'documents changed',
        requested_at: new Date().toISOString(),
      });
    }
    return out;
  }

  private async ingest(tenantId: string, collection: string, doc: IngestDocument): Promise<IngestedDocument> {
    const chunks = chunkDocument({ content: doc.content, format: doc.format, title: doc.title });
    if (chunks.length === 0) throw new KnowledgeError('INVALID_REQUEST', `document ${doc.document_id} has no text`);
    const metadata = doc.metadata ?? {};
    const sha = createHash('sha256')
      .update(JSON.stringify([doc.format, doc.title ?? null, metadata, doc.content]))
      .digest('hex');
    const existing = await this.repository.findDocument(tenantId, collection, doc.document_id);
    const tokens = chunks.reduce((s, c) => s + c.tokens, 0);
    if (existing && existing.contentSha256 === sha) return { document_id: doc.document_id, version: existing.version, chunks: existing.chunkCount, tokens, outcome: 'unchanged' };
    const version = (existing?.version ?? 0) + 1;
    const payload = chunkPayload(collection, doc.document_id, version, metadata);
    const rows = chunks.map((c) => ({ ordinal: c.ordinal, chunkId: chunkId(doc.document_id, version, c.ordinal), text: c.text, tokens: c.tokens }));
    await this.index.upsertChunks(
      tenantId,
      rows.map((r) => ({ id: r.chunkId, text: r.text, payload })),
    );
    await this.repository.saveDocument(tenantId, collection, {
      documentId: doc.document_id,
      version,
      contentSha256: sha,
      format: doc.format,
      title: doc.title,
      metadata,
      chunks: rows,
    });
    if (version > 1) await this.index.deleteVectorsBelow(tenantId, collection, doc.document_id, version);
    return { document_id: doc.document_id, version, chunks: rows.length, tokens, outcome: existing ? 'replaced' : 'created' };
  }
}
