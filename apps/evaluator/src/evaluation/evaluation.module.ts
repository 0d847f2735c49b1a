import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { createPgPool, type PgPool } from '@llm/db';
import { RedisModule } from '@llm/redis';
import { ADMIN_TOKEN, AdminTokenGuard } from '@llm/service-runtime';
import { HealthRegistry, type Logger } from '@llm/telemetry';
import { EVALUATOR_CONFIG, type EvaluatorConfig } from '../config/evaluator.config';
import { ReportFiles } from '../reports/report-files';
import { ReportWriter } from '../reports/report.writer';
import { ReportsController } from '../reports/reports.controller';
import { BuildOnlineReportUseCase } from '../reports/use-cases/build-online-report/build-online-report.use-case';
import { EvaluationConsumer } from './evaluation.consumer';
import { EvaluationController } from './evaluation.controller';
import { EvaluationRepository } from './evaluation.repository';
import { EvaluationStoreRepository } from './evaluation-store.repository';
import { ANSWER_JUDGES, PG_POOL, SAMPLER } from './evaluation.tokens';
import { AnswerJudges } from './judges/answer-judges';
import { SampleRetention } from './sampling/sample-retention';
import { Sampler } from './sampling/sampler';
import { GetSummaryUseCase } from './use-cases/get-summary/get-summary.use-case';
import { JudgeSampleUseCase } from './use-cases/judge-sample/judge-sample.use-case';
import { RecordJudgeVerdictUseCase } from './use-cases/record-judge-verdict/record-judge-verdict.use-case';
import { RecordRequestUseCase } from './use-cases/record-request/record-request.use-case';
import { RecordResultUseCase } from './use-cases/record-result/record-result.use-case';
import { VerdictRecorder } from './verdict.recorder';

const USE_CASES = [RecordResultUseCase, RecordRequestUseCase, JudgeSampleUseCase, RecordJudgeVerdictUseCase, GetSummaryUseCase, BuildOnlineReportUseCase];

@Injectable()
class PgPoolLifecycle implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: PgPool) {}
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

@Module({})
export class EvaluationModule {
  static forRoot(options: { config: EvaluatorConfig; logger: Logger }): DynamicModule {
    const { config, logger } = options;
    return {
      module: EvaluationModule,
      imports: [RedisModule.forRoot({ url: config.REDIS_URL, logger })],
      controllers: [EvaluationConsumer, EvaluationController, ReportsController],
      providers: [
        { provide: EVALUATOR_CONFIG, useValue: config },
        // The shared admin guard reads its own token; it comes from the same parsed settings.
        { provide: ADMIN_TOKEN, inject: [EVALUATOR_CONFIG], useFactory: (c: EvaluatorConfig) => c.ADMIN_TOKEN },
        AdminTokenGuard,
        {
          provide: PG_POOL,
          inject: [HealthRegistry],
          useFactory: (health: HealthRegistry) => {
            const pool = createPgPool(config.DATABASE_URL, { max: 4 });
            health.register('postgres', async () => {
              await pool.query('select 1');
            });
            return pool;
          },
        },
        PgPoolLifecycle,
        { provide: EvaluationStoreRepository, inject: [PG_POOL], useFactory: (pool: PgPool) => new EvaluationStoreRepository(pool) },
        {
          provide: SAMPLER,
          useValue: new Sampler({ defaultRate: config.EVAL_SAMPLE_RATE, rates: config.EVAL_SAMPLE_RATES, excludedTenants: [config.EVAL_JUDGE_TENANT, config.EVAL_SHADOW_TENANT] }),
        },
        {
          provide: ANSWER_JUDGES,
          useValue: new AnswerJudges({ groundingThreshold: config.EVAL_GROUNDING_THRESHOLD, refusalSupportThreshold: config.EVAL_REFUSAL_SUPPORT_THRESHOLD }),
        },
        { provide: ReportWriter, useValue: new ReportWriter(config.EVAL_REPORTS_DIR) },
        { provide: ReportFiles, useValue: new ReportFiles(config.EVAL_REPORTS_DIR) },
        EvaluationRepository,
        VerdictRecorder,
        SampleRetention,
        ...USE_CASES,
      ],
    };
  }
}
