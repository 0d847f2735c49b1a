import { Controller, Inject } from '@nestjs/common';
import { Topics, type CachePurgeV1 } from '@llm/contracts';
import { OnTopic } from '@llm/kafka';
import { PurgeCacheCommand } from './use-cases/purge-cache/purge-cache.command';
import { PurgeCacheUseCase } from './use-cases/purge-cache/purge-cache.use-case';

@Controller()
export class SemanticCacheConsumer {
  constructor(@Inject(PurgeCacheUseCase) private readonly purge: PurgeCacheUseCase) {}

  @OnTopic(Topics.cachePurge)
  async onPurge(event: CachePurgeV1): Promise<void> {
    await this.purge.execute(PurgeCacheCommand.create(event));
  }
}
