import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CacheStageAnnouncer } from '@llm/cache-key';
import { REDIS, type Redis } from '@llm/redis';
import { CACHE_CONFIG, type CacheConfig } from '../config/cache.config';

/**
 * Tells ingress whether this stage adds anything after ingress's own exact lookup (libs/cache-key, cache-stage.ts):
 * with the semantic lookup off it does not, and ingress sends its misses straight on.
 */
@Injectable()
export class CacheStageAnnouncement implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly announcer: CacheStageAnnouncer;

  constructor(@Inject(REDIS) redis: Redis, @Inject(CACHE_CONFIG) config: Pick<CacheConfig, 'SEMANTIC_CACHE_ENABLED' | 'KAFKA_TOPIC_PREFIX'>) {
    this.announcer = new CacheStageAnnouncer(redis, config.KAFKA_TOPIC_PREFIX, config.SEMANTIC_CACHE_ENABLED);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.announcer.start();
  }

  onModuleDestroy(): void {
    this.announcer.stop();
  }
}
