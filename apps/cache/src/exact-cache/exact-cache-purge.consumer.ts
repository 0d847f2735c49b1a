import { Controller } from '@nestjs/common';
import { Topics, type CachePurgeV1 } from '@llm/contracts';
import { OnTopic } from '@llm/kafka';
import { ExactCacheRepository } from './exact-cache.repository';

/**
 * llm.cache-purge.v1 with the semantic cache off (with it on, its purge consumer does this too): the tenant's
 * exact entries go, so an answer grounded in documents that changed (the retriever purges a collection on every
 * ingest and delete) is not served again from the exact cache.
 */
@Controller()
export class ExactCachePurgeConsumer {
  constructor(private readonly repository: ExactCacheRepository) {}

  @OnTopic(Topics.cachePurge)
  async onPurge(event: CachePurgeV1): Promise<void> {
    await this.repository.purgeTenant(event.tenant_id);
  }
}
