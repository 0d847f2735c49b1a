import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { createPgPool, DbModule, type PgPool } from '@llm/db';
import { createEmbedder, type Embedder } from '@llm/embeddings';
import { REDIS, RedisModule, type Redis } from '@llm/redis';
import { ResultStreamModule } from '@llm/result-stream';
import type { Logger } from '@llm/telemetry';
import { tenantAuthProviders } from '@llm/tenant-auth';
import { createVectorStore, QdrantSparseIndex, type VectorIndex, type VectorStore } from '@llm/vector-store';
import { RETRIEVER_CONFIG, type RetrieverConfig } from '../config/retriever.config';
import { DocumentsConsumer } from '../documents/documents.consumer';
import { DocumentsController } from '../documents/documents.controller';
import { DeleteCollectionUseCase } from '../documents/use-cases/delete-collection/delete-collection.use-case';
import { DeleteDocumentUseCase } from '../documents/use-cases/delete-document/delete-document.use-case';
import { IngestDocumentsUseCase } from '../documents/use-cases/ingest-documents/ingest-documents.use-case';
import { SearchCollectionUseCase } from '../documents/use-cases/search-collection/search-collection.use-case';
import { CHUNK_INDEX, CHUNK_INDEX_NAME, EMBEDDER, KnowledgeIndex, SPARSE_INDEX } from '../knowledge/knowledge.index';
import { KnowledgeRepository, PG_POOL } from '../knowledge/knowledge.repository';
import { RetrievalConsumer } from './retrieval.consumer';
import { RetrieveContextUseCase } from './use-cases/retrieve-context/retrieve-context.use-case';

const USE_CASES = [RetrieveContextUseCase, IngestDocumentsUseCase, DeleteDocumentUseCase, DeleteCollectionUseCase, SearchCollectionUseCase];
const VECTOR_STORE = Symbol('RETRIEVER_VECTOR_STORE');

/** Persists the embedded index, releases the model and the pool on shutdown. */
class KnowledgeLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
    @Inject(EMBEDDER) private readonly embedder: Embedder,
    @Inject(PG_POOL) private readonly pool: PgPool,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.embedder.close?.();
    await this.pool.end();
  }
}

@Module({})
export class RetrievalModule {
  /** Redis and the result stream let an expired or dead-lettered request be finished for its caller. */
  static forRoot(options: { config: RetrieverConfig; logger: Logger }): DynamicModule {
    const { config, logger } = options;
    return {
      module: RetrievalModule,
      imports: [
        DbModule.forRoot({ url: config.DATABASE_URL }),
        RedisModule.forRoot({ url: config.REDIS_URL, logger }),
        ResultStreamModule.forRoot({ redisUrl: config.REDIS_URL, logger }),
      ],
      controllers: [RetrievalConsumer, DocumentsConsumer, DocumentsController],
      providers: [
        { provide: RETRIEVER_CONFIG, useValue: config },
        { provide: PG_POOL, useFactory: () => createPgPool(config.DATABASE_URL) },
        { provide: VECTOR_STORE, useFactory: () => createVectorStore(config) },
        { provide: EMBEDDER, inject: [REDIS], useFactory: (redis: Redis) => createEmbedder(config, redis) },
        {
          provide: CHUNK_INDEX,
          inject: [VECTOR_STORE, EMBEDDER],
          useFactory: (store: VectorStore, embedder: Embedder): Promise<VectorIndex> =>
            store.index({ name: CHUNK_INDEX_NAME, model: embedder.model, dimensions: embedder.dimensions, indexedFields: ['collection', 'document_id'] }),
        },
        {
          provide: SPARSE_INDEX,
          useFactory: (): Promise<QdrantSparseIndex> | null =>
            config.QDRANT_URL
              ? new QdrantSparseIndex(config.QDRANT_URL, { name: CHUNK_INDEX_NAME, indexedFields: ['collection', 'document_id'] }, config.QDRANT_API_KEY).ensure()
              : null,
        },
        ...tenantAuthProviders(config),
        KnowledgeRepository,
        KnowledgeIndex,
        KnowledgeLifecycle,
        ...USE_CASES,
      ],
    };
  }
}
