import { Inject, Injectable } from '@nestjs/common';
import { SemanticCacheRepository } from '../../semantic-cache.repository';
import type { PurgeCacheCommand } from './purge-cache.command';

/**
 * Retires a tenant's semantic entries (all, one feature's or one RAG collection's): the version key is bumped
 * first, so no old entry can hit again even while the deletion runs or if it fails, then the entries are deleted.
 * Exact-cache entries of a collection are retired by its version in the exact key (libs/cache-key).
 */
@Injectable()
export class PurgeCacheUseCase {
  constructor(@Inject(SemanticCacheRepository) private readonly repository: SemanticCacheRepository) {}

  async execute({ tenantId, scope }: PurgeCacheCommand): Promise<{ deleted: number | undefined }> {
    await this.repository.bumpVersion(tenantId, scope);
    return { deleted: await this.repository.purge(tenantId, scope) };
  }
}
