import { Inject, Injectable } from '@nestjs/common';
import { SemanticCacheRepository } from '../../semantic-cache.repository';
import { SemanticCacheError } from '../../semantic-cache.errors';
import type { SetThresholdCommand } from './set-threshold.command';

/** A tenant's own similarity threshold, for one feature or as its default (the second stage still applies below it). */
@Injectable()
export class SetThresholdUseCase {
  constructor(@Inject(SemanticCacheRepository) private readonly repository: SemanticCacheRepository) {}

  async execute({ tenantId, feature, threshold }: SetThresholdCommand): Promise<void> {
    if (!(threshold > 0 && threshold <= 1)) throw new SemanticCacheError('INVALID_THRESHOLD', 'threshold must be in (0, 1]');
    await this.repository.setThreshold(tenantId, feature, threshold);
  }
}
