import { Inject, Injectable } from '@nestjs/common';
import type { Embedder } from '@llm/embeddings';
import { Bm25Index, chunkVectorPoints, CollectionSearcher, documentSparseVector, inProcessLexical, qdrantLexical } from '@llm/rag';
import type { Payload, PayloadValue, QdrantSparseIndex, VectorIndex } from '@llm/vector-store';
import { KnowledgeRepository } from './knowledge.repository';

export const EMBEDDER = Symbol('RETRIEVER_EMBEDDER');
export const CHUNK_INDEX = Symbol('RETRIEVER_CHUNK_INDEX');
/** Qdrant's sparse BM25 index when QDRANT_URL is set, else null (the in-process BM25 index is used). */
export const SPARSE_INDEX = Symbol('RETRIEVER_SPARSE_INDEX');

/** Name of the retriever's vector index (one per embedding model, as every index in libs/vector-store). */
export const CHUNK_INDEX_NAME = 'rag-chunks';

/** Document metadata fields travel on chunk payloads with this prefix, apart from the retriever's own fields. */
const META_PREFIX = 'm_';

export function chunkPayload(collection: string, documentId: string, version: number, metadata: Payload): Payload {
  const payload: Payload = { collection, document_id: documentId, version };
  for (const [k, v] of Object.entries(metadata)) payload[`${META_PREFIX}${k}`] = v;
  return payload;
}

export function metadataFilter(filter: Record<string, PayloadValue> | undefined): Record<string, PayloadValue> {
  return Object.fromEntries(Object.entries(filter ?? {}).map(([k, v]) => [`${META_PREFIX}${k}`, v]));
}

/** Point id of a chunk: a new version gets new ids, so its points can be written before the old ones go. */
export const chunkId = (documentId: string, version: number, ordinal: number): string => `${documentId}@${version}#${ordinal}`;

/**
 * The search side of the knowledge base: chunk vectors in the tenant-scoped vector index, and BM25 either in
 * Qdrant (sparse vectors, with QDRANT_URL) or in process: one index per (tenant, collection), built from
 * Postgres and rebuilt when the collection's revision moved (another instance, or this one, changed it).
 * Tenants reach only their own points and their own BM25 indexes.
 */
@Injectable()
export class KnowledgeIndex {
  private readonly lexical = new Map<string, { revision: number; index: Bm25Index<Payload> }>();
  private readonly building = new Map<string, Promise<Bm25Index<Payload>>>();

  constructor(
    @Inject(EMBEDDER) readonly embedder: Embedder,
    @Inject(CHUNK_INDEX) private readonly vectors: VectorIndex,
    @Inject(SPARSE_INDEX) private readonly sparse: QdrantSparseIndex | null,
    private readonly repository: KnowledgeRepository,
  ) {}

  async upsertChunks(tenantId: string, chunks: ReadonlyArray<{ id: string; text: string; payload: Payload }>): Promise<void> {
    if (chunks.length === 0) return;
    await this.vectors.forTenant(tenantId).upsert(await chunkVectorPoints(this.embedder, chunks));
    await this.sparse?.forTenant(tenantId).upsert(chunks.map((c) => ({ id: c.id, vector: documentSparseVector(c.text), payload: c.payload })));
  }

  async deleteVectors(tenantId: string, equals: Payload): Promise<void> {
    await this.vectors.forTenant(tenantId).deleteByFilter({ equals });
    await this.sparse?.forTenant(tenantId).deleteByFilter({ equals });
  }

  /** Every older version's chunks of a document. */
  async deleteVectorsBelow(tenantId: string, collection: string, documentId: string, version: number): Promise<void> {
    const older = { equals: { collection, document_id: documentId }, range: { version: { lte: version - 1 } } };
    await this.vectors.forTenant(tenantId).deleteByFilter(older);
    await this.sparse?.forTenant(tenantId).deleteByFilter(older);
  }

  /** A searcher over the collection as of `revision` (the caller read it with the collection). */
  async searcher(tenantId: string, collection: string, revision: number): Promise<CollectionSearcher> {
    const lexical = this.sparse ? qdrantLexical(this.sparse.forTenant(tenantId)) : inProcessLexical(await this.lexicalIndex(tenantId, collection, revision));
    return new CollectionSearcher(this.embedder, this.vectors.forTenant(tenantId), lexical, collection);
  }

  forget(tenantId: string, collection: string): void {
    this.lexical.delete(keyOf(tenantId, collection));
  }

  private async lexicalIndex(tenantId: string, collection: string, revision: number): Promise<Bm25Index<Payload>> {
    const key = keyOf(tenantId, collection);
    const cached = this.lexical.get(key);
    if (cached && cached.revision >= revision) return cached.index;
    let pending = this.building.get(key);
    if (!pending) {
      pending = this.repository
        .loadChunks(tenantId, collection)
        .then(({ revision: loaded, chunks }) => {
          const index = new Bm25Index<Payload>();
          for (const c of chunks) index.add(c.chunkId, c.text, chunkPayload(collection, c.documentId, 0, c.metadata));
          this.lexical.set(key, { revision: loaded, index });
          return index;
        })
        .finally(() => this.building.delete(key));
      this.building.set(key, pending);
    }
    return pending;
  }
}

const keyOf = (tenantId: string, collection: string) => `${tenantId}\u0000${collection}`;
