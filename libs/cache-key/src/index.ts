export { canonicalJson, exactCacheKey } from './exact-cache-key';
