export { deploymentStatsKey, embeddingCacheKey, TenantKeys } from './tenant-keys';
export { API_KEY_REVOCATIONS_CHANNEL } from './channels';
export { createRedis, registerRedisHealth, type Redis } from './redis.client';
export { RedisModule, REDIS } from './redis.module';
