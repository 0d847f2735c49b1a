export {
  batchSubmissionKey,
  batchSubmissionLockKey,
  deploymentLimitKey,
  deploymentStatsKey,
  embeddingCacheKey,
  openBatchSubmissionsKey,
  TenantKeys,
  tokenStatesCacheKey,
} from './tenant-keys';
export { ADMISSION_PLANS_CHANNEL, API_KEY_REVOCATIONS_CHANNEL, cacheStageKeys } from './channels';
export { createRedis, registerRedisHealth, type Redis } from './redis.client';
export { RedisModule, REDIS } from './redis.module';
