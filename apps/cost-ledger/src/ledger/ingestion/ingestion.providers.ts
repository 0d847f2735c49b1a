import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { createPgPool, type PgPool } from '@llm/db';
import { LOGGER } from '@llm/service-runtime';
import type { Logger } from '@llm/telemetry';
import { COST_LEDGER_CONFIG, type CostLedgerConfig } from '../../config/cost-ledger.config';
import { PartitionMaintainer } from './partition-maintainer';
import { UsageIngestRepository } from './usage-ingest.repository';
import { UsageIngestion, type UsageRecordedListener } from './usage-ingestion.service';

export const PG_POOL = Symbol('PG_POOL');
/** The listeners told about newly recorded usage (budget settlement, alerts), in order. */
export const USAGE_LISTENERS = Symbol('USAGE_LISTENERS');

@Injectable()
class PgPoolLifecycle implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: PgPool) {}
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

export const ingestionProviders: Provider[] = [
  { provide: PG_POOL, inject: [COST_LEDGER_CONFIG], useFactory: (c: CostLedgerConfig) => createPgPool(c.DATABASE_URL, { max: 6 }) },
  PgPoolLifecycle,
  PartitionMaintainer,
  { provide: UsageIngestRepository, inject: [PG_POOL], useFactory: (pool: PgPool) => new UsageIngestRepository(pool) },
  {
    provide: UsageIngestion,
    inject: [UsageIngestRepository, USAGE_LISTENERS, LOGGER, COST_LEDGER_CONFIG, PartitionMaintainer],
    useFactory: (repo: UsageIngestRepository, listeners: UsageRecordedListener[], log: Logger, c: CostLedgerConfig, partitions: PartitionMaintainer) =>
      new UsageIngestion(repo, listeners, log, { maxItems: c.LEDGER_BATCH_MAX_ROWS, lingerMs: c.LEDGER_BATCH_LINGER_MS, maxConcurrent: c.LEDGER_BATCH_CONCURRENCY }, () =>
        partitions.ready(),
      ),
  },
];
