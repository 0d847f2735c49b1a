import { Inject, Injectable } from '@nestjs/common';
import type { PgPool } from '@llm/db';
import { unavailableOnFailure } from '@llm/errors';
import type { Payload } from '@llm/vector-store';

export const PG_POOL = Symbol('RETRIEVER_PG_POOL');

export interface CollectionRow {
  name: string;
  revision: number;
  documents: number;
  chunks: number;
  createdAt: string;
  updatedAt: string;
}

export interface DocumentRow {
  documentId: string;
  version: number;
  contentSha256: string;
  format: string;
  title?: string;
  metadata: Payload;
  chunkCount: number;
  tokenCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface ChunkRow {
  chunkId: string;
  documentId: string;
  ordinal: number;
  text: string;
  tokens: number;
  title?: string;
  metadata: Payload;
}

export interface NewDocument {
  documentId: string;
  /** The version its chunk ids were made for (the stored one + 1). */
  version: number;
  contentSha256: string;
  format: string;
  title?: string;
  metadata: Payload;
  chunks: Array<{ ordinal: number; chunkId: string; text: string; tokens: number }>;
}

export interface JobRow {
  jobId: string;
  collection: string;
  documentsDone: number;
  documentsFailed: number;
  chunksDone: number;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

/** Documents, chunks and ingest jobs in Postgres; `tenantId` is the first parameter and in every statement. */
@Injectable()
export class KnowledgeRepository {
  constructor(@Inject(PG_POOL) private readonly pool: PgPool) {}

  async findCollection(tenantId: string, name: string): Promise<CollectionRow | undefined> {
    const rows = await this.query<CollectionSql>(`${COLLECTION_SELECT} where c.tenant_id = $1 and c.name = $2 group by c.tenant_id, c.name`, [tenantId, name]);
    return rows[0] && mapCollection(rows[0]);
  }

  async listCollections(tenantId: string): Promise<CollectionRow[]> {
    const rows = await this.query<CollectionSql>(`${COLLECTION_SELECT} where c.tenant_id = $1 group by c.tenant_id, c.name order by c.name`, [tenantId]);
    return rows.map(mapCollection);
  }

  /** Removes the collection and (by cascade) its documents and chunks; false when there was none. */
  async deleteCollection(tenantId: string, name: string): Promise<boolean> {
    const res = await unavailableOnFailure('the document store', () => this.pool.query('delete from rag_collections where tenant_id = $1 and name = $2', [tenantId, name]));
    return (res.rowCount ?? 0) > 0;
  }

  async findDocument(tenantId: string, collection: string, documentId: string): Promise<DocumentRow | undefined> {
    const rows = await this.query<DocumentSql>(`${DOCUMENT_SELECT} where tenant_id = $1 and collection = $2 and document_id = $3`, [tenantId, collection, documentId]);
    return rows[0] && mapDocument(rows[0]);
  }

  async listDocuments(tenantId: string, collection: string, limit: number, after?: string): Promise<DocumentRow[]> {
    const rows = await this.query<DocumentSql>(`${DOCUMENT_SELECT} where tenant_id = $1 and collection = $2 and document_id > $3 order by document_id limit $4`, [
      tenantId,
      collection,
      after ?? '',
      limit,
    ]);
    return rows.map(mapDocument);
  }

  /**
   * Stores a document's new version and its chunks in one transaction (creating the collection on first use)
   * and moves the collection's revision on. Returns the version stored and the one it replaced.
   */
  async saveDocument(tenantId: string, collection: string, doc: NewDocument): Promise<{ version: number; previous?: number }> {
    return unavailableOnFailure('the document store', async () => {
      const client = await this.pool.connect();
      try {
        await client.query('begin');
        await client.query(
          `insert into rag_collections (tenant_id, name) values ($1, $2)
           on conflict (tenant_id, name) do update set revision = nextval('rag_revision_seq'), updated_at = now()`,
          [tenantId, collection],
        );
        const prev = await client.query<{ version: number }>('select version from rag_documents where tenant_id = $1 and collection = $2 and document_id = $3 for update', [
          tenantId,
          collection,
          doc.documentId,
        ]);
        const previous = prev.rows[0]?.version;
        const version = doc.version;
        const tokens = doc.chunks.reduce((s, c) => s + c.tokens, 0);
        await client.query(
          `insert into rag_documents (tenant_id, collection, document_id, version, content_sha256, format, title, metadata, chunk_count, token_count)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           on conflict (tenant_id, collection, document_id) do update set version = excluded.version, content_sha256 = excluded.content_sha256,
             format = excluded.format, title = excluded.title, metadata = excluded.metadata, chunk_count = excluded.chunk_count,
             token_count = excluded.token_count, updated_at = now()`,
          [tenantId, collection, doc.documentId, version, doc.contentSha256, doc.format, doc.title ?? null, JSON.stringify(doc.metadata), doc.chunks.length, tokens],
        );
        await client.query('delete from rag_chunks where tenant_id = $1 and collection = $2 and document_id = $3', [tenantId, collection, doc.documentId]);
        await client.query(
          `insert into rag_chunks (tenant_id, collection, document_id, ordinal, chunk_id, text, token_count)
           select $1, $2, $3, * from unnest($4::int[], $5::text[], $6::text[], $7::int[])`,
          [
            tenantId,
            collection,
            doc.documentId,
            doc.chunks.map((c) => c.ordinal),
            doc.chunks.map((c) => c.chunkId),
            doc.chunks.map((c) => c.text),
            doc.chunks.map((c) => c.tokens),
          ],
        );
        await client.query('commit');
        return { version, previous };
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    });
  }

  /** Deletes a document and its chunks; returns its last version, or undefined when there was none. */
  async deleteDocument(tenantId: string, collection: string, documentId: string): Promise<number | undefined> {
    return unavailableOnFailure('the document store', async () => {
      const res = await this.pool.query<{ version: number }>(
        `with gone as (delete from rag_documents where tenant_id = $1 and collection = $2 and document_id = $3 returning version),
              bump as (update rag_collections set revision = nextval('rag_revision_seq'), updated_at = now() where tenant_id = $1 and name = $2 and exists (select 1 from gone))
         select version from gone`,
        [tenantId, collection, documentId],
      );
      return res.rows[0]?.version;
    });
  }

  /** Every chunk of a collection with its document's title and metadata (what BM25 indexes and filters on). */
  async loadChunks(tenantId: string, collection: string): Promise<{ revision: number; chunks: ChunkRow[] }> {
    return unavailableOnFailure('the document store', async () => {
      const client = await this.pool.connect();
      try {
        // One snapshot, so the revision matches the rows read.
        await client.query('begin isolation level repeatable read read only');
        const rev = await client.query<{ revision: string }>('select revision from rag_collections where tenant_id = $1 and name = $2', [tenantId, collection]);
        const rows = await client.query<{ chunk_id: string; document_id: string; ordinal: number; text: string; token_count: number; title: string | null; metadata: Payload }>(
          `select k.chunk_id, k.document_id, k.ordinal, k.text, k.token_count, d.title, d.metadata
           from rag_chunks k join rag_documents d using (tenant_id, collection, document_id)
           where k.tenant_id = $1 and k.collection = $2`,
          [tenantId, collection],
        );
        await client.query('commit');
        return {
          revision: Number(rev.rows[0]?.revision ?? 0),
          chunks: rows.rows.map((r) => ({
            chunkId: r.chunk_id,
            documentId: r.document_id,
            ordinal: r.ordinal,
            text: r.text,
            tokens: r.token_count,
            title: r.title ?? undefined,
            metadata: r.metadata,
          })),
        };
      } finally {
        await client.query('rollback').catch(() => undefined);
        client.release();
      }
    });
  }

  /** The stored chunks with these ids, for context assembly. */
  async chunksByIds(tenantId: string, collection: string, chunkIds: readonly string[]): Promise<ChunkRow[]> {
    const rows = await this.query<{ chunk_id: string; document_id: string; ordinal: number; text: string; token_count: number; title: string | null; metadata: Payload }>(
      `select k.chunk_id, k.document_id, k.ordinal, k.text, k.token_count, d.title, d.metadata
       from rag_chunks k join rag_documents d using (tenant_id, collection, document_id)
       where k.tenant_id = $1 and k.collection = $2 and k.chunk_id = any($3::text[])`,
      [tenantId, collection, [...chunkIds]],
    );
    return rows.map((r) => ({
      chunkId: r.chunk_id,
      documentId: r.document_id,
      ordinal: r.ordinal,
      text: r.text,
      tokens: r.token_count,
      title: r.title ?? undefined,
      metadata: r.metadata,
    }));
  }

  async recordJobProgress(tenantId: string, jobId: string, collection: string, progress: { done: number; failed: number; chunks: number; lastError?: string }): Promise<void> {
    await this.query(
      `insert into rag_ingest_jobs (tenant_id, job_id, collection, documents_done, documents_failed, chunks_done, last_error) values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (tenant_id, job_id) do update set documents_done = rag_ingest_jobs.documents_done + excluded.documents_done,
         documents_failed = rag_ingest_jobs.documents_failed + excluded.documents_failed, chunks_done = rag_ingest_jobs.chunks_done + excluded.chunks_done,
         last_error = coalesce(excluded.last_error, rag_ingest_jobs.last_error), updated_at = now()`,
      [tenantId, jobId, collection, progress.done, progress.failed, progress.chunks, progress.lastError ?? null],
    );
  }

  async findJob(tenantId: string, jobId: string): Promise<JobRow | undefined> {
    const rows = await this.query<{
      job_id: string;
      collection: string;
      documents_done: number;
      documents_failed: number;
      chunks_done: number;
      last_error: string | null;
      created_at: Date;
      updated_at: Date;
    }>('select * from rag_ingest_jobs where tenant_id = $1 and job_id = $2', [tenantId, jobId]);
    const r = rows[0];
    return (
      r && {
        jobId: r.job_id,
        collection: r.collection,
        documentsDone: r.documents_done,
        documentsFailed: r.documents_failed,
        chunksDone: r.chunks_done,
        lastError: r.last_error ?? undefined,
        createdAt: r.created_at.toISOString(),
        updatedAt: r.updated_at.toISOString(),
      }
    );
  }

  private async query<T extends object>(sql: string, params: unknown[]): Promise<T[]> {
    const res = await unavailableOnFailure('the document store', () => this.pool.query<T>(sql, params));
    return res.rows;
  }
}

const COLLECTION_SELECT = `select c.name, c.revision, c.created_at, c.updated_at, count(d.document_id)::int as documents, coalesce(sum(d.chunk_count), 0)::int as chunks
  from rag_collections c left join rag_documents d on d.tenant_id = c.tenant_id and d.collection = c.name`;
const DOCUMENT_SELECT = 'select document_id, version, content_sha256, format, title, metadata, chunk_count, token_count, created_at, updated_at from rag_documents';

interface CollectionSql {
  name: string;
  revision: string;
  documents: number;
  chunks: number;
  created_at: Date;
  updated_at: Date;
}

interface DocumentSql {
  document_id: string;
  version: number;
  content_sha256: string;
  format: string;
  title: string | null;
  metadata: Payload;
  chunk_count: number;
  token_count: number;
  created_at: Date;
  updated_at: Date;
}

function mapCollection(r: CollectionSql): CollectionRow {
  return { name: r.name, revision: Number(r.revision), documents: r.documents, chunks: r.chunks, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() };
}

function mapDocument(r: DocumentSql): DocumentRow {
  return {
    documentId: r.document_id,
    version: r.version,
    contentSha256: r.content_sha256,
    format: r.format,
    title: r.title ?? undefined,
    metadata: r.metadata,
    chunkCount: r.chunk_count,
    tokenCount: r.token_count,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
