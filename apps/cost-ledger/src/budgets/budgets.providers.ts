import type { Provider } from '@nestjs/common';
import { BudgetStore } from '@llm/budgets';
import type { PgPool } from '@llm/db';
import { REDIS, type Redis } from '@llm/redis';
import { LOGGER } from '@llm/service-runtime';
import type { Logger } from '@llm/telemetry';
import { PG_POOL } from '../ledger/ingestion/ingestion.providers';
import { BudgetReconciler } from './budget-reconciler';
import { BudgetSettler } from './budget-settler';
import { BudgetStateRepository } from './budget-state.repository';
import { BudgetSync } from './budget-sync';

export const budgetProviders: Provider[] = [
  { provide: BudgetStore, inject: [REDIS], useFactory: (redis: Redis) => new BudgetStore(redis) },
  { provide: BudgetStateRepository, inject: [PG_POOL], useFactory: (pool: PgPool) => new BudgetStateRepository(pool) },
  {
    provide: BudgetReconciler,
    inject: [BudgetStateRepository, BudgetStore, LOGGER],
    useFactory: (r: BudgetStateRepository, s: BudgetStore, l: Logger) => new BudgetReconciler(r, s, l),
  },
  { provide: BudgetSettler, inject: [BudgetStore], useFactory: (s: BudgetStore) => new BudgetSettler(s) },
  BudgetSync,
];
