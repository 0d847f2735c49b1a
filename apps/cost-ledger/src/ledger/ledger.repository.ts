import { Inject, Injectable } from '@nestjs/common';
import { PRISMA, type PrismaClient } from '@llm/db';

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
