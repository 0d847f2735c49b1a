import { Inject, Injectable } from '@nestjs/common';
import { ExactCacheRepository } from '../../../exact-cache/exact-cache.repository';
import { SemanticCacheRepository } from '../../semantic-cache.repository';
import type { PurgeCacheCommand } from './purge-cache.command';

/**
 * Retires a tenant's semantic entries (all, one feature's or one RAG collection's): the version key is bumped
 * before the entries are deleted, so no old entry can hit again while the deletion runs or if it fails.
 * The tenant's exact-cache entries are deleted on every purge: the exact key holds neither the feature nor the
 * version keys, so retiring all of them is the only way to be sure none of the purged answers is served again.
 */
@Injectable()
export class PurgeCacheUseCase {
  constructor(
    @Inject(SemanticCacheRepository) private readonly repository: SemanticCacheRepository,
    @Inject(ExactCacheRepository) private readonly exact: ExactCacheRepository,
  ) {}

  async execute({ tenantId, scope }: PurgeCacheCommand): Promise<{ deleted: number | undefined }> {
    await this.exact.purgeTenant(tenantId);
    await this.repository.bumpVersion(tenantId, scope);
    return { deleted: await this.repository.purge(tenantId, scope) };
  }
}
