import { Injectable } from '@nestjs/common';
import { LedgerRepository } from '../../ledger.repository';
import type { GetUsageSummaryCommand } from './get-usage-summary.command';

/** Usage and cost of one tenant over a range, by model. Money leaves as integer micro-dollars. */
@Injectable()
export class GetUsageSummaryUseCase {
  constructor(private readonly ledger: LedgerRepository) {}

  async execute(command: GetUsageSummaryCommand) {
    const rows = await this.ledger.totalsByModel(command.tenantId, command.from, command.to);
    const models = rows.map((r) => ({ model: r.model, requests: r.requests, tokens_in: r.tokensIn, tokens_out: r.tokensOut, cost_micros: Number(r.costMicros) }));
    return {
      tenant_id: command.tenantId,
      from: command.from.toISOString(),
      to: command.to.toISOString(),
      totals: models.reduce(
        (t, m) => ({
          requests: t.requests + m.requests,
          tokens_in: t.tokens_in + m.tokens_in,
          tokens_out: t.tokens_out + m.tokens_out,
          cost_micros: t.cost_micros + m.cost_micros,
        }),
        { requests: 0, tokens_in: 0, tokens_out: 0, cost_micros: 0 },
      ),
      models,
    };
  }
}
