import { Module, type DynamicModule } from '@nestjs/common';
import { DbModule } from '@llm/db';
import { ADMIN_TOKEN, AdminTokenGuard } from '@llm/service-runtime';
import { LedgerConsumer } from './ledger.consumer';
import { LedgerController } from './ledger.controller';
import { LedgerRepository } from './ledger.repository';
import { GetUsageSummaryUseCase } from './use-cases/get-usage-summary/get-usage-summary.use-case';
import { RecordUsageUseCase } from './use-cases/record-usage/record-usage.use-case';

const USE_CASES = [RecordUsageUseCase, GetUsageSummaryUseCase];

@Module({})
export class LedgerModule {
  static forRoot(options: { databaseUrl: string; adminToken: string }): DynamicModule {
    return {
      module: LedgerModule,
      imports: [DbModule.forRoot({ url: options.databaseUrl })],
      controllers: [LedgerConsumer, LedgerController],
      providers: [{ provide: ADMIN_TOKEN, useValue: options.adminToken }, AdminTokenGuard, LedgerRepository, ...USE_CASES],
    };
  }
}
