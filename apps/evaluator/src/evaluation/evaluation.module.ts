import { Module, type DynamicModule } from '@nestjs/common';
import { RedisModule } from '@llm/redis';
import type { Logger } from '@llm/telemetry';
import { EvaluationConsumer } from './evaluation.consumer';
import { EvaluationController } from './evaluation.controller';
import { EvaluationRepository } from './evaluation.repository';
import { ADMIN_TOKEN, AdminTokenGuard } from '@llm/service-runtime';
import { GetSummaryUseCase } from './use-cases/get-summary/get-summary.use-case';
import { RecordResultUseCase } from './use-cases/record-result/record-result.use-case';

const USE_CASES = [RecordResultUseCase, GetSummaryUseCase];

@Module({})
export class EvaluationModule {
  static forRoot(options: { redisUrl: string; adminToken: string; logger: Logger }): DynamicModule {
    return {
      module: EvaluationModule,
      imports: [RedisModule.forRoot({ url: options.redisUrl, logger: options.logger })],
      controllers: [EvaluationConsumer, EvaluationController],
      providers: [{ provide: ADMIN_TOKEN, useValue: options.adminToken }, AdminTokenGuard, EvaluationRepository, ...USE_CASES],
    };
  }
}
