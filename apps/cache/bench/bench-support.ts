import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddingsSchema, loadConfig, redisSchema, vectorStoreSchema } from '@llm/config';
import { createEmbedder, type Embedder } from '@llm/embeddings';
import { createRedis, type Redis } from '@llm/redis';
import { createLogger } from '@llm/telemetry';
import { createVectorStore, type VectorIndex, type VectorStore } from '@llm/vector-store';
import { cacheConfigSchema, type CacheConfig } from '../src/config/cache.config';
import { SemanticCacheRepository } from '../src/semantic-cache/semantic-cache.repository';
import { SEMANTIC_INDEX_NAME } from '../src/semantic-cache/semantic-cache.module';
import type { PairVerifier } from '../src/semantic-cache/pair-verifier';
import { defaultPairVerifier, SemanticMatcher, tokenAlignmentVerifier } from '../src/semantic-cache/semantic-matcher';
import { StoreSemanticUseCase } from '../src/semantic-cache/use-cases/store-semantic/store-semantic.use-case';

const benchSchema = redisSchema.extend(embeddingsSchema.shape).extend(vectorStoreSchema.shape);

export interface CachePath {
  redis: Redis;
  embedder: Embedder;
  store: VectorStore;
  index: VectorIndex;
  config: CacheConfig;
  repository: SemanticCacheRepository;
  matcher: SemanticMatcher;
  /** The shipped embedding-pair classifier for this embedder (undefined when it was trained on another model). */
  verifier: PairVerifier | undefined;
  /** The shipped token-alignment verifier (undefined without token states or for another model). */
  alignment: PairVerifier | undefined;
  storeSemantic: StoreSemanticUseCase;
  close(): Promise<void>;
}

/**
 * The semantic cache's real path, wired by hand instead of by Nest: the configured embedder behind the Redis
 * embedding cache, the vector store (Qdrant when QDRANT_URL is set, else the embedded index in a fresh folder),
 * the repository, the matcher and the store use case the service runs.
 */
export async function semanticCachePath(overrides: { qdrantUrl?: string } = {}): Promise<CachePath> {
  const env = loadConfig(benchSchema);
  const redis = createRedis(env.REDIS_URL, createLogger({ service: 'bench-cache', level: 'warn' }));
  const config: CacheConfig = cacheConfigSchema.parse({
    REDIS_URL: env.REDIS_URL,
    VECTOR_INDEX_DIR: mkdtempSync(join(tmpdir(), 'bench-cache-')),
    ...((overrides.qdrantUrl ?? env.QDRANT_URL) ? { QDRANT_URL: overrides.qdrantUrl ?? env.QDRANT_URL } : {}),
    EMBEDDINGS_PROVIDER: env.EMBEDDINGS_PROVIDER,
    ...(env.EMBEDDINGS_MODEL_DIR ? { EMBEDDINGS_MODEL_DIR: env.EMBEDDINGS_MODEL_DIR } : {}),
  });
  const embedder = await createEmbedder(env, redis);
  const store = createVectorStore(config);
  const index = await store.index({
    name: `${SEMANTIC_INDEX_NAME}-bench`,
    model: embedder.model,
    dimensions: embedder.dimensions,
    indexedFields: ['context', 'feature', 'collection'],
  });
  const repository = new SemanticCacheRepository(redis, index, config);
  const verifier = defaultPairVerifier(embedder);
  const alignment = tokenAlignmentVerifier(embedder);
  const matcher = new SemanticMatcher(embedder, repository, config, alignment ?? verifier);
  return {
    redis,
    embedder,
    store,
    index,
    config,
    repository,
    matcher,
    verifier,
    alignment,
    storeSemantic: new StoreSemanticUseCase(repository, embedder, createLogger({ service: 'bench-cache', level: 'warn' })),
    close: async () => {
      await store.close();
      await embedder.close?.();
      redis.disconnect();
    },
  };
}

export function args(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out.set(arg.slice(2), next);
      i++;
    } else out.set(arg.slice(2), 'true');
  }
  return out;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
