import { BudgetStore } from '@llm/budgets';
import type { UsageRecordedListener } from '../ledger/ingestion/usage-ingestion.service';
import type { UsageRow } from '../ledger/ingestion/usage-row';

/**
 * Settles each newly recorded call against the live budget state: charges its actual cost and releases what
 * its request reserved at admission. Only inserted rows reach it (a replay is never settled again), and the
 * store's per-call marker makes a second settle a no-op as well.
 */
export class BudgetSettler implements UsageRecordedListener {
  constructor(private readonly store: BudgetStore) {}

  async onRecorded(rows: readonly UsageRow[]): Promise<void> {
    await this.store.settleMany(
      rows.map((r) => ({
        subject: { tenantId: r.tenantId, userHash: r.userHash, feature: r.feature },
        requestId: r.requestId,
        callId: r.callId,
        micros: r.costMicros,
        tokens: r.tokensIn + r.tokensOut,
        at: r.occurredAt,
      })),
    );
  }
}
