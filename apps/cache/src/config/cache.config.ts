import { httpPort, kafkaSchema, loadConfig, positiveInt, redisSchema, serviceSchema } from '@llm/config';
import type { z } from 'zod';

export const cacheConfigSchema = serviceSchema
  .extend(kafkaSchema.shape)
  .extend(redisSchema.shape)
  .extend(httpPort(8081).shape)
  .extend({ EXACT_CACHE_TTL_S: positiveInt(86_400) });
export type CacheConfig = z.infer<typeof cacheConfigSchema>;

export const loadCacheConfig = (): CacheConfig => loadConfig(cacheConfigSchema);
