export { DEFAULT_CACHE_POLICY, isCacheableRequest, isCompleteAnswer, isDeterministic, type CachePolicy } from './cache-policy';
export { answerParams, canonicalJson, DEFAULT_COLLECTION_VERSION, exactCacheKey, type CacheKeyRag } from './exact-cache-key';
export { decodeExactCacheEntry } from './exact-cache-entry';
export { ExactCacheReader, type ExactCacheRequest, type ExactCacheStore } from './exact-cache.reader';
export { CACHE_HIT_CALL_ID, cacheHitOutcome, type CacheHit } from './cache-hit';
export { afterCacheMiss, CacheStageAnnouncer, CacheStageView, type CacheStageStore, type NextHop } from './cache-stage';
