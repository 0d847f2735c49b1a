import { Module, type DynamicModule } from '@nestjs/common';
import { DbModule } from '@llm/db';
import { ADMIN_TOKEN, AdminTokenGuard } from '@llm/service-runtime';
import { COST_LEDGER_CONFIG, type CostLedgerConfig } from '../config/cost-ledger.config';
import { ingestionProviders, USAGE_LISTENERS } from './ingestion/ingestion.providers';
import { LedgerConsumer } from './ledger.consumer';
import { LedgerController } from './ledger.controller';
import { LedgerRepository } from './ledger.repository';
import { GetUsageSummaryUseCase } from './use-cases/get-usage-summary/get-usage-summary.use-case';
import { RecordUsageUseCase } from './use-cases/record-usage/record-usage.use-case';

const USE_CASES = [RecordUsageUseCase, GetUsageSummaryUseCase];

@Module({})
export class LedgerModule {
  static forRoot(options: { config: CostLedgerConfig }): DynamicModule {
    const { config } = options;
    return {
      module: LedgerModule,
      imports: [DbModule.forRoot({ url: config.DATABASE_URL })],
      controllers: [LedgerConsumer, LedgerController],
      providers: [
        { provide: COST_LEDGER_CONFIG, useValue: config },
        // The shared admin guard reads its own token; it comes from the same parsed settings.
        { provide: ADMIN_TOKEN, inject: [COST_LEDGER_CONFIG], useFactory: (c: CostLedgerConfig) => c.ADMIN_TOKEN },
        AdminTokenGuard,
        LedgerRepository,
        ...ingestionProviders,
        { provide: USAGE_LISTENERS, useValue: [] },
        ...USE_CASES,
      ],
    };
  }
}
