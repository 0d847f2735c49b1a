import { adminSchema, bool, embeddingsSchema, httpPort, kafkaSchema, loadConfig, positiveInt, redisSchema, serviceSchema, vectorStoreSchema } from '@llm/config';
import { z } from 'zod';

export const cacheConfigSchema = serviceSchema
  .extend(kafkaSchema.shape)
  .extend(redisSchema.shape)
  .extend(httpPort(8081).shape)
  .extend(embeddingsSchema.shape)
  .extend(vectorStoreSchema.shape)
  .extend(adminSchema.shape)
  .extend({
    EXACT_CACHE_TTL_S: positiveInt(86_400),
    /**
     * Temperature policy: by default only deterministic requests (temperature 0 or a seed) are cached; true also
     * caches sampled answers, so every hit repeats one draw (libs/cache-key, cache-policy.ts).
     */
    EXACT_CACHE_SAMPLED: bool(false),
    /**
     * Semantic cache after the exact lookup (apps/cache/src/semantic-cache). Opt-in: every miss then pays an
     * embedding (about 10-20 ms of CPU on the reference machine) and its measured hit rate is below target (ADR 0010).
     */
    SEMANTIC_CACHE_ENABLED: bool(false),
    SEMANTIC_CACHE_TTL_S: positiveInt(86_400),
    /** Overrides the calibrated default threshold (semantic-calibration.json); tenants may set their own per feature. */
    SEMANTIC_CACHE_THRESHOLD: z.coerce.number().min(0).max(1).optional(),
    /**
     * How a candidate is judged (ADR 0021, ADR 0023): `alignment` (default) asks the token-alignment classifier on
     * similarities between its calibrated low bound and threshold (on unseen QQP pairs it served more duplicates at
     * fewer false hits than the single threshold); `threshold` is the calibrated single threshold; `classifier`
     * asks the embedding-pair classifier instead; `lexical` is the older lexical verifier. A second stage needs a
     * verifier trained for the configured embedding model (the alignment one also token states, which only the
     * local model has), else the single threshold applies. A tenant's own threshold always means a single threshold.
     */
    SEMANTIC_CACHE_DECISION: z.enum(['alignment', 'threshold', 'classifier', 'lexical']).default('alignment'),
  });
export type CacheConfig = z.infer<typeof cacheConfigSchema>;

/** The one DI token of the cache's parsed settings. */
export const CACHE_CONFIG = Symbol('CACHE_CONFIG');

export const loadCacheConfig = (): CacheConfig => loadConfig(cacheConfigSchema);
