import { Inject, Injectable } from '@nestjs/common';
import type { ChatCompletion } from '@llm/contracts';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';
import { CACHE_CONFIG, type CacheConfig } from '../config/cache.config';

/**
 * The write side of the exact cache: cached completions in Redis, one key per tenant and exact request hash. The
 * entry is the completion as the model gave it (tool calls, logprobs and refusal included), so a hit returns
 * exactly what was stored. Reads go through the shared ExactCacheReader (libs/cache-key), which ingress's fast
 * path uses too; this service is the only writer.
 */
@Injectable()
export class ExactCacheRepository {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CACHE_CONFIG) private readonly config: Pick<CacheConfig, 'EXACT_CACHE_TTL_S'>,
  ) {}

  async save(tenantId: string, hash: string, completion: ChatCompletion): Promise<void> {
    await this.redis.set(new TenantKeys(tenantId).exactCache(hash), JSON.stringify(completion), 'EX', this.config.EXACT_CACHE_TTL_S);
  }

  /** Deletes every exact entry of the tenant (the key holds no feature or collection to select by). */
  async purgeTenant(tenantId: string): Promise<void> {
    const pattern = new TenantKeys(tenantId).exactCache('0'.repeat(64)).replace(/0{64}$/, '*');
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
      if (keys.length > 0) await this.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}
