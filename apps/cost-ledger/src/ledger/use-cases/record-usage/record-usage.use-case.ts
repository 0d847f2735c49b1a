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
  async execute(command: RecordUsageCommand): Promise<boolean> {
    const [outcome] = await this.ingestion.recordMany([toUsageRow(command.usage)]);
    if (typeof outcome !== 'boolean') throw outcome;
    this.count([command], [outcome]);
    return outcome!;
  }

  /**
   * Many events at once (a Kafka batch): resolves after every row's statement committed, with one entry per
   * command: undefined when it is recorded (now or before), the error when that event was refused.
   */
  async executeBatch(commands: readonly RecordUsageCommand[]): Promise<(Error | undefined)[]> {
    const outcomes = await this.ingestion.recordMany(commands.map((c) => toUsageRow(c.usage)));
    this.count(commands, outcomes);
    return outcomes.map((o) => (typeof o === 'boolean' ? undefined : o));
  }

  /** Counter updates summed per label set: one increment per batch, not per event. */
  private count(commands: readonly RecordUsageCommand[], outcomes: readonly (boolean | Error)[]): void {
    const recorded = new Map<string, { outcome: string; source: string; n: number }>();
    const charged = new Map<string, number>();
    outcomes.forEach((outcome, i) => {
      if (typeof outcome !== 'boolean') return;
      const { source, cost_micros } = commands[i]!.usage;
      const key = `${outcome}:${source}`;
      const entry = recorded.get(key) ?? recorded.set(key, { outcome: outcome ? 'inserted' : 'duplicate', source, n: 0 }).get(key)!;
      entry.n++;
      if (outcome) charged.set(source, (charged.get(source) ?? 0) + cost_micros);
    });
    for (const { outcome, source, n } of recorded.values()) this.recorded.inc({ outcome, source }, n);
    for (const [source, micros] of charged) this.charged.inc({ source }, micros);
  }
}
