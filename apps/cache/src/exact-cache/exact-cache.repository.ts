import { Inject, Injectable } from '@nestjs/common';
import { chatCompletion, type ChatCompletion } from '@llm/contracts';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';
import { CACHE_CONFIG, type CacheConfig } from '../config/cache.config';

/**
 * Cached completions in Redis, one key per tenant and exact request hash. The entry is the completion as the
 * model gave it (tool calls, logprobs and refusal included), so a hit returns exactly what was stored.
 */
@Injectable()
export class ExactCacheRepository {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CACHE_CONFIG) private readonly config: Pick<CacheConfig, 'EXACT_CACHE_TTL_S'>,
  ) {}

  async find(tenantId: string, hash: string): Promise<ChatCompletion | undefined> {
    const raw = await this.redis.get(new TenantKeys(tenantId).exactCache(hash));
    if (raw === null) return undefined;
    // An entry that no longer parses (schema moved on) is a miss, not an error.
    const parsed = chatCompletion.safeParse(safeJson(raw));
    return parsed.success ? parsed.data : undefined;
  }

  async save(tenantId: string, hash: string, completion: ChatCompletion): Promise<void> {
    await this.redis.set(new TenantKeys(tenantId).exactCache(hash), JSON.stringify(completion), 'EX', this.config.EXACT_CACHE_TTL_S);
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
