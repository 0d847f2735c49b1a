import { Module, type DynamicModule } from '@nestjs/common';
import { RedisModule } from '@llm/redis';
import { ResultStreamModule } from '@llm/result-stream';
import type { Logger } from '@llm/telemetry';
import { ExactCacheConsumer } from './exact-cache.consumer';
import { ExactCacheRepository } from './exact-cache.repository';
import { EXACT_CACHE_TTL } from './exact-cache.tokens';
import { LookupRequestUseCase } from './use-cases/lookup-request/lookup-request.use-case';
import { StoreResultUseCase } from './use-cases/store-result/store-result.use-case';

const USE_CASES = [LookupRequestUseCase, StoreResultUseCase];

@Module({})
export class ExactCacheModule {
  static forRoot(options: { redisUrl: string; ttlSeconds: number; logger: Logger }): DynamicModule {
    return {
      module: ExactCacheModule,
      imports: [RedisModule.forRoot({ url: options.redisUrl, logger: options.logger }), ResultStreamModule.forRoot({ redisUrl: options.redisUrl, logger: options.logger })],
      controllers: [ExactCacheConsumer],
      providers: [{ provide: EXACT_CACHE_TTL, useValue: options.ttlSeconds }, ExactCacheRepository, ...USE_CASES],
    };
  }
}
