import { Inject, Injectable } from '@nestjs/common';
import { PRISMA, type PrismaClient } from '@llm/db';
import type { UsageV1 } from '@llm/contracts';
import { hashUserId } from '@llm/telemetry';
import { LedgerError } from './ledger.errors';

export interface UsageTotals {
  model: string;
  requests: number;
  tokensIn: number;
  tokensOut: number;
  costMicros: bigint;
}

/** Usage rows in Postgres. tenantId comes first and is in every query. */
@Injectable()
export class LedgerRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /**
   * Inserts the usage of one provider call; returns false when that (tenant_id, request_id, call_id) was
   * already recorded (a redelivery or a republished outcome). The unique index decides, not a prior read, so
   * concurrent duplicates insert one row, and the same ids under another tenant are that tenant's own row.
   */
  async recordOnce(tenantId: string, usage: UsageV1): Promise<boolean> {
    try {
      const inserted = await this.prisma.$executeRaw`
        insert into usage_events (
          request_id, call_id, attempt, tenant_id, user_hash, feature, model, provider, source, status,
          tokens_in, tokens_cached_in, tokens_out, tokens_estimated, cost_micros, latency_ms, occurred_at
        ) values (
          ${usage.request_id}::uuid, ${usage.call_id}, ${usage.attempt}, ${tenantId}, ${hashUserId(usage.user_id) ?? null},
          ${usage.feature ?? null}, ${usage.model}, ${usage.provider}, ${usage.source}, ${usage.status},
          ${usage.tokens_in}, ${usage.tokens_cached_in}, ${usage.tokens_out}, ${usage.tokens_estimated},
          ${BigInt(usage.cost_micros)}, ${usage.latency_ms}, ${new Date(usage.occurred_at)}
        )
        on conflict (tenant_id, request_id, call_id) do nothing`;
      return inserted === 1;
    } catch (err) {
      throw toLedgerError(err);
    }
  }

  async totalsByModel(tenantId: string, from: Date, to: Date): Promise<UsageTotals[]> {
    const rows = await this.prisma.usageEvent.groupBy({
      by: ['model'],
      where: { tenantId, occurredAt: { gte: from, lt: to } },
      _count: { _all: true },
      _sum: { tokensIn: true, tokensOut: true, costMicros: true },
      orderBy: { model: 'asc' },
    });
    return rows.map((r) => ({
      model: r.model,
      requests: r._count._all,
      tokensIn: r._sum.tokensIn ?? 0,
      tokensOut: r._sum.tokensOut ?? 0,
      costMicros: r._sum.costMicros ?? 0n,
    }));
  }
}

function toLedgerError(err: unknown): LedgerError {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  // Foreign-key violation: the tenant does not exist. Retrying cannot fix it.
  if (e.code === 'P2003' || e.cause?.code === '23503' || /foreign key/i.test(e.message ?? '')) {
    return new LedgerError('UNKNOWN_TENANT', 'usage for a tenant the ledger does not know', false, { cause: err });
  }
  return new LedgerError('LEDGER_UNAVAILABLE', 'the ledger database could not record usage', true, { cause: err });
}
