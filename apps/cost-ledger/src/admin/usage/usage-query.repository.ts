import type { PgPool } from '@llm/db';
import { DIMENSION_COLUMN, type Dimension, type RollupTable, type UsageQueryCommand } from './usage-query.command';

const DIM_SQL: Record<RollupTable, Partial<Record<Dimension, string>>> = {
  usage_hourly: {
    tenant: 'tenant_id',
    feature: 'feature',
    model: 'model',
    provider: 'provider',
    fallback_step: 'fallback_step',
    day: `(date_trunc('day', hour)::date)::text`,
    hour: 'hour',
  },
  usage_daily: { tenant: 'tenant_id', feature: 'feature', model: 'model', provider: 'provider', fallback_step: 'fallback_step', day: 'day::text' },
  usage_daily_users: { tenant: 'tenant_id', user: 'user_hash', day: 'day::text' },
  usage_daily_tenants: { tenant: 'tenant_id', day: 'day::text' },
};

export type UsageGroup = Record<string, string | number>;

export interface RequestCall {
  call_id: string;
  model: string;
  provider: string;
  deployment: string | null;
  source: string;
  status: string;
  tokens_in: number;
  tokens_cached_in: number;
  tokens_out: number;
  cost_micros: number;
  saved_micros: number;
  latency_ms: number;
  retries: number;
  fallback: boolean;
  fallback_step: string | null;
  occurred_at: string;
}

/** Admin reads: rollups for aggregates, the partitioned events table for one request and for raw pages. */
export class UsageQueryRepository {
  constructor(private readonly pool: PgPool) {}

  /**
   * One page of groups. The keyset is a row comparison on the grouping expressions: every row of a group shares
   * them, so it drops whole groups before aggregation. When tenant leads, `tenant_id >= ...` lets the primary
   * key (tenant first on every rollup) seek, and the sorted groups stop at the page size.
   */
  async usage(c: UsageQueryCommand): Promise<{ rows: UsageGroup[]; last?: UsageGroup }> {
    const exprs = c.groupBy.map((d) => DIM_SQL[c.table][d]!);
    const dims = c.groupBy.map((d, i) => `${exprs[i]} AS ${DIMENSION_COLUMN[d]}`);
    const time = c.table === 'usage_hourly' ? 'hour' : 'day';
    const params: unknown[] = [
      c.table === 'usage_hourly' ? c.from.toISOString() : c.from.toISOString().slice(0, 10),
      c.table === 'usage_hourly' ? c.to.toISOString() : c.to.toISOString().slice(0, 10),
    ];
    const where = [`${time} >= $1`, `${time} < $2`];
    const filter = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    };
    filter('tenant_id', c.filters.tenantId);
    filter('user_hash', c.filters.userHash);
    filter('feature', c.filters.feature);
    filter('model', c.filters.model);
    filter('provider', c.filters.provider);
    filter('fallback_step', c.filters.fallbackStep);
    if (c.after) {
      const first = params.length + 1;
      params.push(...c.after);
      where.push(`(${exprs.join(', ')}) > (${c.after.map((_, i) => `$${first + i}`).join(', ')})`);
      if (c.groupBy[0] === 'tenant') where.push(`tenant_id >= $${first}`);
    }
    const hasCache = c.table !== 'usage_daily_users';
    const metrics = `sum(calls)::int8 AS calls, sum(tokens_in)::int8 AS tokens_in, sum(tokens_out)::int8 AS tokens_out, sum(cost_micros)::int8 AS cost_micros,
      sum(saved_micros)::int8 AS saved_micros${hasCache ? ', sum(cache_hits)::int8 AS cache_hits' : ''}`;
    const groupBy = dims.length ? `GROUP BY ${dims.map((_, i) => i + 1).join(', ')} ORDER BY ${dims.map((_, i) => i + 1).join(', ')}` : '';
    const sql = `SELECT ${[...dims, metrics].join(', ')} FROM ${c.table} WHERE ${where.join(' AND ')} ${groupBy} LIMIT ${c.limit + 1}`;
    const { rows } = await this.pool.query<Record<string, unknown>>(sql, params);
    const page = rows.slice(0, c.limit).map(toGroup);
    return { rows: page, last: rows.length > c.limit ? page.at(-1) : undefined };
  }

  async topSpenders(from: Date, to: Date, limit: number): Promise<UsageGroup[]> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `SELECT tenant_id, sum(cost_micros)::int8 AS cost_micros, sum(calls)::int8 AS calls, sum(saved_micros)::int8 AS saved_micros
       FROM usage_daily_tenants WHERE day >= $1::date AND day < $2::date GROUP BY tenant_id ORDER BY 2 DESC, 1 LIMIT $3`,
      [from.toISOString().slice(0, 10), to.toISOString().slice(0, 10), limit],
    );
    return rows.map(toGroup);
  }

  /** Savings from the cache (hits priced at zero) and from routing (cheaper model than asked), by tenant. */
  async savings(from: Date, to: Date, tenantId: string | undefined): Promise<UsageGroup[]> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `SELECT tenant_id, sum(saved_micros)::int8 AS saved_micros, sum(cost_micros)::int8 AS cost_micros, sum(calls)::int8 AS calls, sum(cache_hits)::int8 AS cache_hits
       FROM usage_daily_tenants WHERE day >= $1::date AND day < $2::date AND ($3::text IS NULL OR tenant_id = $3) GROUP BY tenant_id ORDER BY 2 DESC, 1 LIMIT 10000`,
      [from.toISOString().slice(0, 10), to.toISOString().slice(0, 10), tenantId ?? null],
    );
    return rows.map(toGroup);
  }

  /**
   * usage_events has no index on request_id (inserts stay cheap): usage_keys' primary key gives the calls'
   * occurred_at, which (tenant_id, occurred_at, id) and partition pruning turn into a few index probes.
   */
  async requestCalls(tenantId: string, requestId: string): Promise<RequestCall[]> {
    const { rows } = await this.pool.query<RequestCall>(
      `SELECT call_id, model, provider, deployment, source, status, tokens_in, tokens_cached_in, tokens_out, cost_micros::int8 AS cost_micros,
              saved_micros::int8 AS saved_micros, latency_ms, retries, fallback, fallback_step, occurred_at
       FROM usage_events
       WHERE tenant_id = $1 AND request_id = $2::uuid
         AND occurred_at = ANY (ARRAY(SELECT occurred_at FROM usage_keys WHERE tenant_id = $1 AND request_id = $2::uuid))
       ORDER BY occurred_at, call_id`,
      [tenantId, requestId],
    );
    return rows.map((r) => ({ ...r, cost_micros: Number(r.cost_micros), saved_micros: Number(r.saved_micros), occurred_at: new Date(r.occurred_at).toISOString() }));
  }

  /** Newest first, keyset-paginated on (occurred_at, id): stable under concurrent inserts and cheap at any depth. */
  async events(
    tenantId: string,
    from: Date,
    to: Date,
    limit: number,
    after?: { at: string; id: string },
  ): Promise<{ rows: Record<string, unknown>[]; next?: { at: string; id: string } }> {
    const { rows } = await this.pool.query<Record<string, unknown> & { id: string; occurred_at: Date }>(
      `SELECT id::text AS id, request_id::text AS request_id, call_id, user_hash, feature, model, deployment, provider, source, status, tokens_in,
              tokens_cached_in, tokens_out, cost_micros::int8 AS cost_micros, saved_micros::int8 AS saved_micros, latency_ms, retries, fallback, fallback_step, occurred_at
       FROM usage_events
       WHERE tenant_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND ($4::timestamptz IS NULL OR (occurred_at, id) < ($4::timestamptz, $5::int8))
       ORDER BY occurred_at DESC, id DESC LIMIT $6`,
      [tenantId, from.toISOString(), to.toISOString(), after?.at ?? null, after?.id ?? null, limit + 1],
    );
    const page = rows.slice(0, limit).map((r) => ({ ...r, cost_micros: Number(r.cost_micros), saved_micros: Number(r.saved_micros), occurred_at: r.occurred_at.toISOString() }));
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { rows: page, next: last ? { at: last.occurred_at.toISOString(), id: last.id } : undefined };
  }

  async alerts(tenantId: string | undefined, limit: number, before?: { at: string; id: string }): Promise<{ rows: Record<string, unknown>[]; next?: { at: string; id: string } }> {
    const { rows } = await this.pool.query<Record<string, unknown> & { id: string; raised_at: Date }>(
      `SELECT id::text AS id, tenant_id, kind, severity, window_key, message, value_micros::int8 AS value_micros, threshold_micros::int8 AS threshold_micros,
              raised_at, acked_at, acked_by
       FROM alerts WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::timestamptz IS NULL OR (raised_at, id) < ($2::timestamptz, $3::uuid))
       ORDER BY raised_at DESC, id DESC LIMIT $4`,
      [tenantId ?? null, before?.at ?? null, before?.id ?? null, limit + 1],
    );
    const page = rows.slice(0, limit).map((r) => ({ ...r, value_micros: Number(r.value_micros), threshold_micros: Number(r.threshold_micros) }));
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { rows: page, next: last ? { at: last.raised_at.toISOString(), id: last.id } : undefined };
  }

  async audit(tenantId: string | undefined, limit: number, beforeId?: string): Promise<{ rows: Record<string, unknown>[]; next?: string }> {
    const { rows } = await this.pool.query<Record<string, unknown> & { id: string }>(
      `SELECT id::text AS id, at, actor, actor_role, tenant_id, action, target_type, target_id, details
       FROM audit_log WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::int8 IS NULL OR id < $2::int8) ORDER BY id DESC LIMIT $3`,
      [tenantId ?? null, beforeId ?? null, limit + 1],
    );
    return { rows: rows.slice(0, limit), next: rows.length > limit ? rows[limit - 1]!.id : undefined };
  }
}

function toGroup(r: Record<string, unknown>): UsageGroup {
  const out: UsageGroup = {};
  for (const [k, v] of Object.entries(r)) {
    if (v instanceof Date) out[k] = k === 'day' ? v.toISOString().slice(0, 10) : v.toISOString();
    else if (typeof v === 'string' && /^(calls|tokens_in|tokens_out|cost_micros|saved_micros|cache_hits)$/.test(k)) out[k] = Number(v);
    else out[k] = v as string | number;
  }
  return out;
}
