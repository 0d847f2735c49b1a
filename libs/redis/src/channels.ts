/**
 * Pub/sub channel on which the cost ledger announces revoked API keys (message: the key's SHA-256 hex hash);
 * every ingress drops that key from its auth cache at once. Platform-wide by nature, so not tenant-prefixed;
 * a lost message is bounded by ingress's AUTH_CACHE_TTL_MS.
 */
export const API_KEY_REVOCATIONS_CHANNEL = 'platform:auth:api-key-revoked';

/**
 * Pub/sub channel on which the cost ledger announces a change of admission plans (a plan's definition, a tenant's
 * plan); every ingress reloads its plans from Postgres at once. A lost message is bounded by ingress's
 * ADMISSION_PLANS_REFRESH_MS.
 */
export const ADMISSION_PLANS_CHANNEL = 'platform:admission:plans-changed';

/**
 * Keys (not channels) by which the cache service announces its stage to ingress (libs/cache-key, cache-stage.ts):
 * that a cache instance is running, and that one runs the semantic lookup. Not tenant-prefixed, but per pipeline
 * (Kafka topic prefix): pipelines sharing one Redis have cache stages of their own.
 */
export const cacheStageKeys = (topicPrefix: string) => ({ alive: `platform:cache:stage-alive:${topicPrefix}`, semantic: `platform:cache:semantic-on:${topicPrefix}` });
