import { Module, type DynamicModule } from '@nestjs/common';
import { RedisModule } from '@llm/redis';
import { ResultStreamModule } from '@llm/result-stream';
import type { Logger } from '@llm/telemetry';
import { RetrievalConsumer } from './retrieval.consumer';
import { RetrieveContextUseCase } from './use-cases/retrieve-context/retrieve-context.use-case';

const USE_CASES = [RetrieveContextUseCase];

@Module({})
export class RetrievalModule {
  /** Redis and the result stream let a dead-lettered request be finished as failed for its caller. */
  static forRoot(options: { redisUrl: string; logger: Logger }): DynamicModule {
    return {
      module: RetrievalModule,
      imports: [RedisModule.forRoot({ url: options.redisUrl, logger: options.logger }), ResultStreamModule.forRoot({ redisUrl: options.redisUrl, logger: options.logger })],
      controllers: [RetrievalConsumer],
      providers: [...USE_CASES],
    };
  }
}
