import { Module, type DynamicModule } from '@nestjs/common';
import { ExactCacheReader } from '@llm/cache-key';
import { REDIS, RedisModule, type Redis } from '@llm/redis';
import { ResultStreamModule } from '@llm/result-stream';
import type { Logger } from '@llm/telemetry';
import { CACHE_CONFIG, type CacheConfig } from '../config/cache.config';
import { SemanticCacheModule } from '../semantic-cache/semantic-cache.module';
import { CacheStageAnnouncement } from './cache-stage.announcement';
import { ExactCachePurgeConsumer } from './exact-cache-purge.consumer';
import { ExactCacheConsumer } from './exact-cache.consumer';
import { ExactCacheRepository } from './exact-cache.repository';
import { LookupRequestUseCase } from './use-cases/lookup-request/lookup-request.use-case';
import { StoreResultUseCase } from './use-cases/store-result/store-result.use-case';

const USE_CASES = [LookupRequestUseCase, StoreResultUseCase];

@Module({})
export class ExactCacheModule {
  static forRoot(options: { config: CacheConfig; logger: Logger }): DynamicModule {
    const { config, logger } = options;
    return {
      module: ExactCacheModule,
      imports: [
        RedisModule.forRoot({ url: config.REDIS_URL, logger }),
        ResultStreamModule.forRoot({ redisUrl: config.REDIS_URL, logger }),
        ...(config.SEMANTIC_CACHE_ENABLED ? [SemanticCacheModule.forRoot({ config })] : []),
      ],
      // The purge topic has one handler: the semantic cache's when it is on (it purges both), else this one.
      controllers: [ExactCacheConsumer, ...(config.SEMANTIC_CACHE_ENABLED ? [] : [ExactCachePurgeConsumer])],
      providers: [
        { provide: CACHE_CONFIG, useValue: config },
        { provide: ExactCacheReader, inject: [REDIS], useFactory: (redis: Redis) => new ExactCacheReader(redis, { cacheSampled: config.EXACT_CACHE_SAMPLED }) },
        ExactCacheRepository,
        CacheStageAnnouncement,
        ...USE_CASES,
      ],
    };
  }
}
