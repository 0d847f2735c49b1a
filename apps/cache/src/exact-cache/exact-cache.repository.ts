import { Inject, Injectable } from '@nestjs/common';
import { chatCompletion, type ChatCompletion } from '@llm/contracts';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';
import { EXACT_CACHE_TTL } from './exact-cache.tokens';

/** Cached completions in Redis, one key per tenant and exact request hash. */
@Injectable()
export class ExactCacheRepository {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(EXACT_CACHE_TTL) private readonly ttlSeconds: number,
  ) {}

  async find(tenantId: string, hash: string): Promise<ChatCompletion | undefined> {
    const raw = await this.redis.get(new TenantKeys(tenantId).exactCache(hash));
    if (raw === null) return undefined;
    // An entry that no longer parses (schema moved on) is a miss, not an error.
    const parsed = chatCompletion.safeParse(safeJson(raw));
    return parsed.success ? parsed.data : undefined;
  }

  async save(tenantId: string, hash: string, completion: ChatCompletion): Promise<void> {
    await this.redis.set(new TenantKeys(tenantId).exactCache(hash), JSON.stringify(completion), 'EX', this.ttlSeconds);
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
