import { Module, type DynamicModule } from '@nestjs/common';
import { RedisModule } from '@llm/redis';
import type { Logger } from '@llm/telemetry';
import { EvaluationConsumer } from './evaluation.consumer';
import { EvaluationController } from './evaluation.controller';
import { EvaluationRepository } from './evaluation.repository';
import { ADMIN_TOKEN, AdminTokenGuard } from '@llm/service-runtime';
import { EVALUATOR_CONFIG, type EvaluatorConfig } from '../config/evaluator.config';
import { GetSummaryUseCase } from './use-cases/get-summary/get-summary.use-case';
import { RecordResultUseCase } from './use-cases/record-result/record-result.use-case';

const USE_CASES = [RecordResultUseCase, GetSummaryUseCase];

@Module({})
export class EvaluationModule {
  static forRoot(options: { config: EvaluatorConfig; logger: Logger }): DynamicModule {
    const { config, logger } = options;
    return {
      module: EvaluationModule,
      imports: [RedisModule.forRoot({ url: config.REDIS_URL, logger })],
      controllers: [EvaluationConsumer, EvaluationController],
      providers: [
        { provide: EVALUATOR_CONFIG, useValue: config },
        // The shared admin guard reads its own token; it comes from the same parsed settings.
        { provide: ADMIN_TOKEN, inject: [EVALUATOR_CONFIG], useFactory: (c: EvaluatorConfig) => c.ADMIN_TOKEN },
        AdminTokenGuard,
        EvaluationRepository,
        ...USE_CASES,
      ],
    };
  }
}
