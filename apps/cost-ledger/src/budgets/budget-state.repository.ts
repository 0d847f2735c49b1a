import type { BudgetPeriod, BudgetScope } from '@llm/budgets';
import type { PgPool } from '@llm/db';

export interface BudgetLimitRow {
  tenantId: string;
  scope: BudgetScope;
  subject: string;
  period: BudgetPeriod;
  limitMicros: bigint | null;
  limitTokens: bigint | null;
}

export interface SpentRow {
  tenantId: string;
  subject: string;
  micros: bigint;
  tokens: bigint;
}

/** Reads budgets (explicit rows, then plan defaults) and spend per period from the daily rollup. */
export class BudgetStateRepository {
  constructor(private readonly pool: PgPool) {}

  async limits(tenantId?: string): Promise<BudgetLimitRow[]> {
    const { rows } = await this.pool.query<{
      tenant_id: string;
      scope: BudgetScope;
      subject: string;
      period: BudgetPeriod;
      limit_micros: string | null;
      limit_tokens: string | null;
    }>(
      `SELECT tenant_id, scope, subject, period, limit_micros, limit_tokens FROM budgets WHERE $1::text IS NULL OR tenant_id = $1
       UNION ALL
       SELECT t.id, 'tenant', '', p.period, p.micros, NULL FROM tenants t JOIN LATERAL (
         SELECT 'day' AS period, pl.daily_budget_micros AS micros FROM tenant_plans tp JOIN plans pl ON pl.id = tp.plan_id WHERE tp.tenant_id = t.id
         UNION ALL SELECT 'month', pl.monthly_budget_micros FROM tenant_plans tp JOIN plans pl ON pl.id = tp.plan_id WHERE tp.tenant_id = t.id) p ON p.micros IS NOT NULL
       WHERE ($1::text IS NULL OR t.id = $1)
         AND NOT EXISTS (SELECT 1 FROM budgets b WHERE b.tenant_id = t.id AND b.scope = 'tenant' AND b.period = p.period)`,
      [tenantId ?? null],
    );
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      scope: r.scope,
      subject: r.subject,
      period: r.period,
      limitMicros: r.limit_micros === null ? null : BigInt(r.limit_micros),
      limitTokens: r.limit_tokens === null ? null : BigInt(r.limit_tokens),
    }));
  }

  /** Spend per tenant (scope tenant) or per tenant and subject (user hash / feature) in [from, to) days. */
  async spent(scope: BudgetScope, from: Date, to: Date, tenantId?: string): Promise<SpentRow[]> {
    const subject = scope === 'user' ? 'user_hash' : scope === 'feature' ? 'feature' : `''`;
    const table = scope === 'user' ? 'usage_daily_users' : 'usage_daily';
    const { rows } = await this.pool.query<{ tenant_id: string; subject: string; micros: string; tokens: string }>(
      `SELECT tenant_id, ${subject} AS subject, sum(cost_micros)::text AS micros, sum(tokens_in + tokens_out)::text AS tokens
       FROM ${table} WHERE day >= $1::date AND day < $2::date AND ($3::text IS NULL OR tenant_id = $3) GROUP BY 1, 2`,
      [from.toISOString().slice(0, 10), to.toISOString().slice(0, 10), tenantId ?? null],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, subject: r.subject, micros: BigInt(r.micros), tokens: BigInt(r.tokens) }));
  }
}
