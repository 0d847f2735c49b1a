import { Module, type DynamicModule } from '@nestjs/common';
import { DbModule } from '@llm/db';
import { RedisModule } from '@llm/redis';
import type { Logger } from '@llm/telemetry';
import { AdminController } from '../admin/admin.controller';
import { adminProviders } from '../admin/admin.providers';
import { UsageController } from '../admin/usage.controller';
import { AlertEvaluator } from '../alerts/alert-evaluator';
import { alertProviders } from '../alerts/alerts.providers';
import { BudgetSettler } from '../budgets/budget-settler';
import { budgetProviders } from '../budgets/budgets.providers';
import { COST_LEDGER_CONFIG, type CostLedgerConfig } from '../config/cost-ledger.config';
import { ingestionProviders, USAGE_LISTENERS } from './ingestion/ingestion.providers';
import { LedgerConsumer } from './ledger.consumer';
import { RecordUsageUseCase } from './use-cases/record-usage/record-usage.use-case';

const USE_CASES = [RecordUsageUseCase];

@Module({})
export class LedgerModule {
  static forRoot(options: { config: CostLedgerConfig; logger: Logger }): DynamicModule {
    const { config } = options;
    return {
      module: LedgerModule,
      imports: [DbModule.forRoot({ url: config.DATABASE_URL }), RedisModule.forRoot({ url: config.REDIS_URL, logger: options.logger })],
      controllers: [LedgerConsumer, AdminController, UsageController],
      providers: [
        { provide: COST_LEDGER_CONFIG, useValue: config },
        ...ingestionProviders,
        ...budgetProviders,
        ...alertProviders,
        ...adminProviders,
        // Settle budgets first: the daily-budget alert reads what Postgres committed, the settler feeds live admission.
        { provide: USAGE_LISTENERS, inject: [BudgetSettler, AlertEvaluator], useFactory: (b: BudgetSettler, a: AlertEvaluator) => [b, a] },
        ...USE_CASES,
      ],
    };
  }
}
