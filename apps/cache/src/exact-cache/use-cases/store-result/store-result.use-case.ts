import { Inject, Injectable } from '@nestjs/common';
import { isCompleteAnswer } from '@llm/cache-key';
import { ExactCacheRepository } from '../../exact-cache.repository';
import type { StoreResultCommand } from './store-result.command';

/**
 * Populates the exact cache from model answers; the cache service is the only writer (DESIGN.md). Only complete,
 * faithful answers are stored: a succeeded model answer whose every choice ended with `stop` or `tool_calls`.
 * A truncated, filtered or unfinished answer (finish_reason null: the stream never ended) would otherwise be
 * replayed as if complete for the whole TTL. Whether a request may be cached at all (temperature policy) was
 * decided at lookup: only cacheable misses carry a cache_key.
 */
@Injectable()
export class StoreResultUseCase {
  constructor(@Inject(ExactCacheRepository) private readonly cache: Pick<ExactCacheRepository, 'save'>) {}

  async execute({ result }: StoreResultCommand): Promise<boolean> {
    if (result.status !== 'succeeded' || result.source !== 'model' || !result.cache_key || !result.response) return false;
    if (!isCompleteAnswer(result.response)) return false;
    await this.cache.save(result.tenant_id, result.cache_key, result.response);
    return true;
  }
}
