/**
 * Pub/sub channel on which the cost ledger announces revoked API keys (message: the key's SHA-256 hex hash);
 * every ingress drops that key from its auth cache at once. Platform-wide by nature, so not tenant-prefixed;
 * a lost message is bounded by ingress's AUTH_CACHE_TTL_MS.
 */
export const API_KEY_REVOCATIONS_CHANNEL = 'platform:auth:api-key-revoked';
