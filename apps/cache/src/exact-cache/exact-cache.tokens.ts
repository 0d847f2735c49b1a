export const EXACT_CACHE_TTL = Symbol('EXACT_CACHE_TTL');
