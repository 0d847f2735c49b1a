import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@llm/telemetry';
import type { Counter } from 'prom-client';
import { LedgerRepository } from '../../ledger.repository';
import type { RecordUsageCommand } from './record-usage.command';

/** Records each provider call's usage exactly once per tenant, however often the event is delivered or replayed. */
@Injectable()
export class RecordUsageUseCase {
  private readonly recorded: Counter<'outcome' | 'source'>;
  private readonly charged: Counter<'source'>;

  constructor(
    private readonly ledger: LedgerRepository,
    metrics: MetricsRegistry,
  ) {
    this.recorded = metrics.counter('ledger_usage_recorded_total', 'Usage events by outcome (inserted or duplicate)', ['outcome', 'source']);
    // No tenant label: its cardinality is unbounded; per-tenant spend is the admin API's job.
    this.charged = metrics.counter('ledger_cost_micros_total', 'Micro-dollars charged', ['source']);
  }

  async execute({ tenantId, usage }: RecordUsageCommand): Promise<boolean> {
    const inserted = await this.ledger.recordOnce(tenantId, usage);
    this.recorded.inc({ outcome: inserted ? 'inserted' : 'duplicate', source: usage.source });
    if (inserted) this.charged.inc({ source: usage.source }, usage.cost_micros);
    return inserted;
  }
}
