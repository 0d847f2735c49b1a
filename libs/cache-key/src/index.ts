export { DEFAULT_CACHE_POLICY, isCacheableRequest, isCompleteAnswer, isDeterministic, type CachePolicy } from './cache-policy';
export { canonicalJson, DEFAULT_COLLECTION_VERSION, exactCacheKey, type CacheKeyRag } from './exact-cache-key';
