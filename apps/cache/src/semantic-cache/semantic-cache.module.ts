import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { createEmbedder, type Embedder } from '@llm/embeddings';
import { REDIS, type Redis } from '@llm/redis';
import { ADMIN_TOKEN, AdminTokenGuard } from '@llm/service-runtime';
import { createVectorStore, type VectorIndex, type VectorStore } from '@llm/vector-store';
import { CACHE_CONFIG, type CacheConfig } from '../config/cache.config';
import { ExactCacheRepository } from '../exact-cache/exact-cache.repository';
import { SemanticCacheController } from './semantic-cache.controller';
import { SemanticCacheConsumer } from './semantic-cache.consumer';
import { SEMANTIC_INDEX, SemanticCacheRepository } from './semantic-cache.repository';
import { PAIR_VERIFIER } from './pair-verifier';
import { EMBEDDER, SemanticMatcher, verifierForDecision } from './semantic-matcher';
import { LookupSemanticUseCase } from './use-cases/lookup-semantic/lookup-semantic.use-case';
import { PurgeCacheUseCase } from './use-cases/purge-cache/purge-cache.use-case';
import { SetThresholdUseCase } from './use-cases/set-threshold/set-threshold.use-case';
import { StoreSemanticUseCase } from './use-cases/store-semantic/store-semantic.use-case';

/** Name of the semantic cache's vector index; the store keeps one per embedding model. */
export const SEMANTIC_INDEX_NAME = 'semantic-cache';

const VECTOR_STORE = Symbol('VECTOR_STORE');

/** Persists the embedded index and releases the model on shutdown. */
class SemanticCacheLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
    @Inject(EMBEDDER) private readonly embedder: Embedder,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.embedder.close?.();
  }
}

/** Semantic cache: runs after the exact lookup (ExactCacheModule calls LookupSemanticUseCase on a miss). */
@Module({})
export class SemanticCacheModule {
  static forRoot(options: { config: CacheConfig }): DynamicModule {
    const { config } = options;
    return {
      module: SemanticCacheModule,
      controllers: [SemanticCacheConsumer, SemanticCacheController],
      providers: [
        { provide: CACHE_CONFIG, useValue: config },
        { provide: VECTOR_STORE, useFactory: () => createVectorStore(config) },
        { provide: EMBEDDER, inject: [REDIS], useFactory: (redis: Redis) => createEmbedder(config, redis) },
        {
          provide: SEMANTIC_INDEX,
          inject: [VECTOR_STORE, EMBEDDER],
          useFactory: (store: VectorStore, embedder: Embedder): Promise<VectorIndex> =>
            store.index({ name: SEMANTIC_INDEX_NAME, model: embedder.model, dimensions: embedder.dimensions, indexedFields: ['context', 'feature', 'collection'] }),
        },
        { provide: PAIR_VERIFIER, inject: [EMBEDDER], useFactory: (embedder: Embedder) => verifierForDecision(embedder, config.SEMANTIC_CACHE_DECISION) },
        { provide: ADMIN_TOKEN, useValue: config.ADMIN_TOKEN },
        AdminTokenGuard,
        SemanticCacheRepository,
        ExactCacheRepository,
        SemanticMatcher,
        LookupSemanticUseCase,
        StoreSemanticUseCase,
        PurgeCacheUseCase,
        SetThresholdUseCase,
        SemanticCacheLifecycle,
      ],
      exports: [LookupSemanticUseCase, StoreSemanticUseCase],
    };
  }
}
