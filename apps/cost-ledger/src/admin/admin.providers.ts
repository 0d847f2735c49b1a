import type { Provider } from '@nestjs/common';
import { loadCatalog } from '@llm/catalog';
import type { PgPool } from '@llm/db';
import { COST_LEDGER_CONFIG, type CostLedgerConfig } from '../config/cost-ledger.config';
import { PG_POOL } from '../ledger/ingestion/ingestion.providers';
import { AdminAuthGuard } from './auth/admin-auth.guard';
import { AdminDirectoryUseCase } from './directory/admin-directory.use-case';
import { UsersFeaturesUseCase } from './directory/users-features.use-case';
import { AdminReadsUseCase, CATALOG } from './usage/admin-reads.use-case';
import { UsageQueryRepository } from './usage/usage-query.repository';

export const adminProviders: Provider[] = [
  AdminAuthGuard,
  { provide: CATALOG, inject: [COST_LEDGER_CONFIG], useFactory: (c: CostLedgerConfig) => loadCatalog(c.MODEL_CATALOG_PATH) },
  { provide: UsageQueryRepository, inject: [PG_POOL], useFactory: (pool: PgPool) => new UsageQueryRepository(pool) },
  AdminDirectoryUseCase,
  UsersFeaturesUseCase,
  AdminReadsUseCase,
];
