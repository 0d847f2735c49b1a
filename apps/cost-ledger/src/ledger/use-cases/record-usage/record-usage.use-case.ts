import { Inject, Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@llm/telemetry';
import type { Counter } from 'prom-client';
import { UsageIngestion } from '../../ingestion/usage-ingestion.service';
import { toUsageRow } from '../../ingestion/usage-row';
import type { RecordUsageCommand } from './record-usage.command';

/** Records each provider call's usage exactly once per tenant, however often the event is delivered or replayed. */
@Injectable()
export class RecordUsageUseCase {
  private readonly recorded: Counter<'outcome' | 'source'>;
  private readonly charged: Counter<'source'>;

  constructor(
    @Inject(UsageIngestion) private readonly ingestion: UsageIngestion,
    metrics: MetricsRegistry,
  ) {
    this.recorded = metrics.counter('ledger_usage_recorded_total', 'Usage events by outcome (inserted or duplicate)', ['outcome', 'source']);
    // No tenant label: its cardinality is unbounded; per-tenant spend is the admin API's job.
    this.charged = metrics.counter('ledger_cost_micros_total', 'Micro-dollars charged', ['source']);
  }

  /** Resolves after the row's batch committed: true when this delivery inserted it. */
  async execute({ usage }: RecordUsageCommand): Promise<boolean> {
    const outcome = await this.ingestion.record(toUsageRow(usage));
    if (typeof outcome !== 'boolean') throw outcome;
    this.recorded.inc({ outcome: outcome ? 'inserted' : 'duplicate', source: usage.source });
    if (outcome) this.charged.inc({ source: usage.source }, usage.cost_micros);
    return outcome;
  }
}
