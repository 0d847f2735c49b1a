import { Module, type DynamicModule } from '@nestjs/common';
import { RedisModule } from '@llm/redis';
import { ResultStreamModule } from '@llm/result-stream';
import type { Logger } from '@llm/telemetry';
import { RETRIEVER_CONFIG, type RetrieverConfig } from '../config/retriever.config';
import { RetrievalConsumer } from './retrieval.consumer';
import { RetrieveContextUseCase } from './use-cases/retrieve-context/retrieve-context.use-case';

const USE_CASES = [RetrieveContextUseCase];

@Module({})
export class RetrievalModule {
  /** Redis and the result stream let an expired or dead-lettered request be finished for its caller. */
  static forRoot(options: { config: RetrieverConfig; logger: Logger }): DynamicModule {
    const { config, logger } = options;
    return {
      module: RetrievalModule,
      imports: [RedisModule.forRoot({ url: config.REDIS_URL, logger }), ResultStreamModule.forRoot({ redisUrl: config.REDIS_URL, logger })],
      controllers: [RetrievalConsumer],
      providers: [{ provide: RETRIEVER_CONFIG, useValue: config }, ...USE_CASES],
    };
  }
}
