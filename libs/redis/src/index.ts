export { embeddingCacheKey, TenantKeys } from './tenant-keys';
export { createRedis, registerRedisHealth, type Redis } from './redis.client';
export { RedisModule, REDIS } from './redis.module';
