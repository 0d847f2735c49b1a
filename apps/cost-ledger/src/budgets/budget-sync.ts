import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER } from '@llm/service-runtime';
import type { Logger } from '@llm/telemetry';
import { COST_LEDGER_CONFIG, type CostLedgerConfig } from '../config/cost-ledger.config';
import { UsageIngestion } from '../ledger/ingestion/usage-ingestion.service';
import { BudgetReconciler } from './budget-reconciler';

/** Reconciles Redis from Postgres at boot and periodically, always between ingestion batches. */
@Injectable()
export class BudgetSync implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly reconciler: BudgetReconciler,
    private readonly ingestion: UsageIngestion,
    @Inject(COST_LEDGER_CONFIG) private readonly config: CostLedgerConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.run();
    this.timer = setInterval(() => void this.run(), this.config.LEDGER_RECONCILE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One tenant now (after an admin changed its budgets), or everyone. */
  run(tenantId?: string): Promise<void> {
    return this.ingestion
      .exclusive(() => this.reconciler.reconcile(new Date(), tenantId))
      .then(
        () => undefined,
        (err: unknown) => this.log.warn({ err }, 'budget reconciliation failed; retried on the next run'),
      );
  }
}
