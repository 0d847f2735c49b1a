import { bool, httpPort, kafkaSchema, loadConfig, positiveInt, redisSchema, serviceSchema } from '@llm/config';
import type { z } from 'zod';

export const cacheConfigSchema = serviceSchema
  .extend(kafkaSchema.shape)
  .extend(redisSchema.shape)
  .extend(httpPort(8081).shape)
  .extend({
    EXACT_CACHE_TTL_S: positiveInt(86_400),
    /**
     * Temperature policy: by default only deterministic requests (temperature 0 or a seed) are cached; true also
     * caches sampled answers, so every hit repeats one draw (libs/cache-key, cache-policy.ts).
     */
    EXACT_CACHE_SAMPLED: bool(false),
  });
export type CacheConfig = z.infer<typeof cacheConfigSchema>;

/** The one DI token of the cache's parsed settings. */
export const CACHE_CONFIG = Symbol('CACHE_CONFIG');

export const loadCacheConfig = (): CacheConfig => loadConfig(cacheConfigSchema);
