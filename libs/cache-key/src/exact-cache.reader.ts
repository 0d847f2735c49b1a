import type { ChatCompletion, LlmRequestV1 } from '@llm/contracts';
import { TenantKeys } from '@llm/redis';
import { isCacheableRequest, type CachePolicy } from './cache-policy';
import { decodeExactCacheEntry } from './exact-cache-entry';
import { exactCacheKey } from './exact-cache-key';

/** The one Redis command the read side needs; an ioredis client is one. */
export interface ExactCacheStore {
  get(key: string): Promise<string | null>;
}

/** What a lookup is keyed by: the tenant, the body and the RAG options of a request. */
export type ExactCacheRequest = Pick<LlmRequestV1, 'tenant_id' | 'body' | 'rag'>;

/**
 * The read side of the exact cache, shared by the cache service and ingress's fast path so both apply the same
 * policy, the same tenant-scoped key and the same entry validation. It never writes: the cache service is the
 * only writer (DESIGN.md).
 */
export class ExactCacheReader {
  constructor(
    private readonly store: ExactCacheStore,
    private readonly policy: CachePolicy,
  ) {}

  /** The request's cache key, or undefined when the temperature policy keeps it out of the cache. */
  keyFor(request: ExactCacheRequest): string | undefined {
    if (!isCacheableRequest(request.body, this.policy)) return undefined;
    return exactCacheKey(request.tenant_id, request.body, request.rag);
  }

  /** The stored answer, or undefined on a miss or an entry that does not decode to a complete answer. */
  async find(tenantId: string, key: string): Promise<ChatCompletion | undefined> {
    return decodeExactCacheEntry(await this.store.get(new TenantKeys(tenantId).exactCache(key)));
  }
}
