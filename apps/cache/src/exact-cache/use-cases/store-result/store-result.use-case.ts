import { Injectable } from '@nestjs/common';
import { ExactCacheRepository } from '../../exact-cache.repository';
import type { StoreResultCommand } from './store-result.command';

/** Populates the exact cache from model answers; the cache service is the only writer (DESIGN.md). */
@Injectable()
export class StoreResultUseCase {
  constructor(private readonly cache: ExactCacheRepository) {}

  async execute({ result }: StoreResultCommand): Promise<boolean> {
    if (result.status !== 'succeeded' || result.source !== 'model' || !result.cache_key || !result.response) return false;
    // Truncated answers are not worth replaying as if complete.
    if (result.response.choices.some((c) => c.finish_reason === 'length' || c.finish_reason === 'content_filter')) return false;
    await this.cache.save(result.tenant_id, result.cache_key, result.response);
    return true;
  }
}
