import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { collectionName } from '@llm/contracts';
import { ApiKeyGuard, CurrentPrincipal, type Principal } from '@llm/tenant-auth';
import { z } from 'zod';
import { KnowledgeError } from '../knowledge/knowledge.errors';
import { KnowledgeRepository } from '../knowledge/knowledge.repository';
import { DeleteCollectionUseCase } from './use-cases/delete-collection/delete-collection.use-case';
import { DeleteDocumentUseCase } from './use-cases/delete-document/delete-document.use-case';
import { IngestDocumentsCommand } from './use-cases/ingest-documents/ingest-documents.command';
import { IngestDocumentsUseCase } from './use-cases/ingest-documents/ingest-documents.use-case';
import { SearchCollectionUseCase } from './use-cases/search-collection/search-collection.use-case';

const searchBody = z.object({
  query: z.string().min(1).max(10_000),
  top_k: z.number().int().min(1).max(50).default(5),
  filter: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  mode: z.enum(['hybrid', 'dense', 'lexical']).default('hybrid'),
});

/**
 * The tenant's knowledge base over HTTP, authenticated with the same API keys as ingress. Every route reads the
 * tenant from the key; a collection of another tenant is indistinguishable from one that does not exist.
 */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class DocumentsController {
  constructor(
    private readonly ingest: IngestDocumentsUseCase,
    private readonly deleteDocument: DeleteDocumentUseCase,
    private readonly deleteCollection: DeleteCollectionUseCase,
    private readonly search: SearchCollectionUseCase,
    private readonly repository: KnowledgeRepository,
  ) {}

  @Get('collections')
  async collections(@CurrentPrincipal() p: Principal) {
    return { object: 'list', data: (await this.repository.listCollections(p.tenantId)).map(collectionView) };
  }

  @Get('collections/:name')
  async collection(@CurrentPrincipal() p: Principal, @Param('name') name: string) {
    const found = await this.repository.findCollection(p.tenantId, name);
    if (!found) throw new KnowledgeError('COLLECTION_NOT_FOUND', `no collection ${name}`);
    return collectionView(found);
  }

  @Delete('collections/:name')
  async removeCollection(@CurrentPrincipal() p: Principal, @Param('name') name: string) {
    return this.deleteCollection.execute(p.tenantId, name);
  }

  /** One document (`{document_id, content, format?, title?, metadata?}`) or many (`{documents: [...]}`). */
  @Post('collections/:name/documents')
  @HttpCode(201)
  async addDocuments(@CurrentPrincipal() p: Principal, @Param('name') name: string, @Body() body: unknown) {
    const documents = typeof body === 'object' && body !== null && 'documents' in body ? (body as { documents: unknown }).documents : [body];
    const ingested = await this.ingest.execute(IngestDocumentsCommand.create({ tenantId: p.tenantId, collection: name, documents }));
    return { collection: name, documents: ingested };
  }

  @Get('collections/:name/documents')
  async documents(@CurrentPrincipal() p: Principal, @Param('name') name: string, @Query('limit') limit?: string, @Query('after') after?: string) {
    await this.collection(p, name);
    const n = Math.min(Math.max(Number(limit ?? 100) || 100, 1), 1000);
    const rows = await this.repository.listDocuments(p.tenantId, name, n, after);
    return { object: 'list', data: rows.map(documentView), has_more: rows.length === n, last_id: rows.at(-1)?.documentId ?? null };
  }

  @Get('collections/:name/documents/:id')
  async document(@CurrentPrincipal() p: Principal, @Param('name') name: string, @Param('id') id: string) {
    const found = await this.repository.findDocument(p.tenantId, name, id);
    if (!found) throw new KnowledgeError('DOCUMENT_NOT_FOUND', `no document ${id} in collection ${name}`);
    return documentView(found);
  }

  @Delete('collections/:name/documents/:id')
  async removeDocument(@CurrentPrincipal() p: Principal, @Param('name') name: string, @Param('id') id: string) {
    return this.deleteDocument.execute(p.tenantId, name, id);
  }

  @Post('collections/:name/search')
  @HttpCode(200)
  async searchCollection(@CurrentPrincipal() p: Principal, @Param('name') name: string, @Body() body: unknown) {
    if (!collectionName.safeParse(name).success) throw new KnowledgeError('INVALID_REQUEST', 'invalid collection name');
    const parsed = searchBody.safeParse(body);
    if (!parsed.success) throw new KnowledgeError('INVALID_REQUEST', 'search needs {query, top_k?, filter?, mode?}');
    const { query, top_k, filter, mode } = parsed.data;
    const outcome = await this.search.execute(p.tenantId, name, query, { topK: top_k, filter, mode });
    return {
      declined: outcome.declined,
      data: outcome.hits.map((h) => ({
        chunk_id: h.chunk.chunkId,
        document_id: h.chunk.documentId,
        title: h.chunk.title,
        text: h.chunk.text,
        score: h.score,
        dense_score: h.dense,
        bm25_score: h.lexical,
      })),
    };
  }

  @Get('ingest-jobs/:id')
  async job(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    const job = await this.repository.findJob(p.tenantId, id);
    if (!job) throw new KnowledgeError('REQUEST_NOT_FOUND', `no ingest job ${id}`);
    return {
      job_id: job.jobId,
      collection: job.collection,
      documents_done: job.documentsDone,
      documents_failed: job.documentsFailed,
      chunks_done: job.chunksDone,
      last_error: job.lastError ?? null,
      created_at: job.createdAt,
      updated_at: job.updatedAt,
    };
  }
}

const collectionView = (c: Awaited<ReturnType<KnowledgeRepository['findCollection']>> & object) => ({
  name: c.name,
  documents: c.documents,
  chunks: c.chunks,
  revision: c.revision,
  created_at: c.createdAt,
  updated_at: c.updatedAt,
});

const documentView = (d: Awaited<ReturnType<KnowledgeRepository['findDocument']>> & object) => ({
  document_id: d.documentId,
  version: d.version,
  format: d.format,
  title: d.title ?? null,
  metadata: d.metadata,
  chunks: d.chunkCount,
  tokens: d.tokenCount,
  content_sha256: d.contentSha256,
  created_at: d.createdAt,
  updated_at: d.updatedAt,
});
