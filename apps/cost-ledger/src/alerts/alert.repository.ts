import type { PgPool } from '@llm/db';
import { DEFAULT_THRESHOLDS, type AlertCandidate, type AlertThresholds } from './alert-rules';

export interface StoredAlert extends AlertCandidate {
  id: string;
  raisedAt: Date;
}

export interface WebhookTarget {
  url: string;
  secret: string;
}

/** Alert storage and the sums the rules need, answered from the rollups. */
export class AlertRepository {
  constructor(private readonly pool: PgPool) {}

  async settings(tenantIds: readonly string[]): Promise<Map<string, AlertThresholds & { webhook?: WebhookTarget }>> {
    const { rows } = await this.pool.query<{
      tenant_id: string;
      spike_factor_pct: number;
      expensive_request_micros: string;
      budget_thresholds_pct: number[];
      webhook_url: string | null;
      webhook_secret: string | null;
    }>('SELECT * FROM alert_settings WHERE tenant_id = ANY($1::text[])', [tenantIds]);
    const out = new Map<string, AlertThresholds & { webhook?: WebhookTarget }>();
    for (const t of tenantIds) out.set(t, DEFAULT_THRESHOLDS);
    for (const r of rows) {
      out.set(r.tenant_id, {
        spikeFactorPct: r.spike_factor_pct,
        expensiveRequestMicros: BigInt(r.expensive_request_micros),
        budgetThresholdsPct: r.budget_thresholds_pct,
        ...(r.webhook_url && r.webhook_secret ? { webhook: { url: r.webhook_url, secret: r.webhook_secret } } : {}),
      });
    }
    return out;
  }

  /** Spend of each (tenant, hour) and of the 7 days before it. */
  async hourAndWeek(pairs: readonly { tenantId: string; hour: Date }[]): Promise<{ tenantId: string; hour: Date; hourMicros: bigint; weekMicros: bigint }[]> {
    const { rows } = await this.pool.query<{ tenant_id: string; hour: Date; h: string | null; w: string | null }>(
      `SELECT p.tenant_id, p.hour,
         (SELECT sum(cost_micros) FROM usage_hourly u WHERE u.tenant_id = p.tenant_id AND u.hour = p.hour)::text AS h,
         (SELECT sum(cost_micros) FROM usage_hourly u WHERE u.tenant_id = p.tenant_id AND u.hour >= p.hour - interval '7 days' AND u.hour < p.hour)::text AS w
       FROM unnest($1::text[], $2::timestamptz[]) AS p(tenant_id, hour)`,
      [pairs.map((p) => p.tenantId), pairs.map((p) => p.hour.toISOString())],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, hour: r.hour, hourMicros: BigInt(r.h ?? 0), weekMicros: BigInt(r.w ?? 0) }));
  }

  /** Today's spend against each tenant's daily budget (explicit, else its plan's), for tenants that have one. */
  async dailyBudgets(tenantIds: readonly string[], day: string): Promise<{ tenantId: string; spentMicros: bigint; limitMicros: bigint }[]> {
    const { rows } = await this.pool.query<{ tenant_id: string; spent: string | null; lim: string }>(
      `SELECT t.id AS tenant_id, coalesce(b.limit_micros, p.daily_budget_micros)::text AS lim,
         (SELECT sum(cost_micros) FROM usage_daily d WHERE d.tenant_id = t.id AND d.day = $2::date)::text AS spent
       FROM tenants t
       LEFT JOIN budgets b ON b.tenant_id = t.id AND b.scope = 'tenant' AND b.period = 'day'
       LEFT JOIN tenant_plans tp ON tp.tenant_id = t.id
       LEFT JOIN plans p ON p.id = tp.plan_id
       WHERE t.id = ANY($1::text[]) AND coalesce(b.limit_micros, p.daily_budget_micros) IS NOT NULL`,
      [tenantIds, day],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, spentMicros: BigInt(r.spent ?? 0), limitMicros: BigInt(r.lim) }));
  }

  /** Inserts the candidates not raised before in their window; returns only the new ones. */
  async insertNew(candidates: readonly AlertCandidate[], now: Date): Promise<StoredAlert[]> {
    if (candidates.length === 0) return [];
    const col = <K extends keyof AlertCandidate>(k: K) => candidates.map((c) => String(c[k]));
    const { rows } = await this.pool.query<{ id: string; tenant_id: string; kind: string; window_key: string }>(
      `INSERT INTO alerts (id, tenant_id, kind, severity, window_key, message, value_micros, threshold_micros, raised_at)
       SELECT gen_random_uuid(), * , $8::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::int8[])
       ON CONFLICT (tenant_id, kind, window_key) DO NOTHING RETURNING id, tenant_id, kind, window_key`,
      [col('tenantId'), col('kind'), col('severity'), col('windowKey'), col('message'), col('valueMicros'), col('thresholdMicros'), now.toISOString()],
    );
    const byKey = new Map(candidates.map((c) => [`${c.tenantId}|${c.kind}|${c.windowKey}`, c]));
    return rows.map((r) => ({ ...byKey.get(`${r.tenant_id}|${r.kind}|${r.window_key}`)!, id: r.id, raisedAt: now }));
  }

  /**
   * Alerts stored but never published (the broker was down when they were raised), older than `before`: claimed
   * by marking them published, so two ledger instances never send one twice; release() hands back what failed.
   */
  async claimUnpublished(before: Date, limit: number): Promise<StoredAlert[]> {
    const { rows } = await this.pool.query<{
      id: string;
      tenant_id: string;
      kind: AlertCandidate['kind'];
      severity: AlertCandidate['severity'];
      window_key: string;
      message: string;
      value_micros: string;
      threshold_micros: string;
      raised_at: Date;
    }>(
      `UPDATE alerts SET published_at = now() WHERE id IN (
         SELECT id FROM alerts WHERE published_at IS NULL AND raised_at < $1 ORDER BY raised_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, tenant_id, kind, severity, window_key, message, value_micros::text, threshold_micros::text, raised_at`,
      [before.toISOString(), limit],
    );
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      kind: r.kind,
      severity: r.severity,
      windowKey: r.window_key,
      message: r.message,
      valueMicros: BigInt(r.value_micros),
      thresholdMicros: BigInt(r.threshold_micros),
      raisedAt: r.raised_at,
    }));
  }

  async release(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.pool.query('UPDATE alerts SET published_at = NULL WHERE id = ANY($1::uuid[])', [ids]);
  }

  async markPublished(ids: readonly string[], at: Date): Promise<void> {
    if (ids.length > 0) await this.pool.query('UPDATE alerts SET published_at = $2 WHERE id = ANY($1::uuid[])', [ids, at.toISOString()]);
  }
}
