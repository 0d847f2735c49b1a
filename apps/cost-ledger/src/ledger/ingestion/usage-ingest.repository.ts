import type { PgPool } from '@llm/db';
import type { UsageRow } from './usage-row';

const SUMS = `count(*), count(*) FILTER (WHERE source = 'cache'), count(*) FILTER (WHERE fallback), sum(retries), sum(tokens_in), sum(tokens_cached_in),
  sum(tokens_out), sum(cost_micros), sum(saved_micros), sum(latency_ms)`;
const ROLLUP_METRICS = 'calls, cache_hits, fallbacks, retries, tokens_in, tokens_cached_in, tokens_out, cost_micros, saved_micros, latency_ms_sum';
const ADD = ['calls', 'cache_hits', 'fallbacks', 'retries', 'tokens_in', 'tokens_cached_in', 'tokens_out', 'cost_micros', 'saved_micros', 'latency_ms_sum']
  .map((c) => `${c} = t.${c} + excluded.${c}`)
  .join(', ');

/**
 * One statement per batch: the dedup keys go in with ON CONFLICT DO NOTHING, and only the keys that statement
 * actually inserted (RETURNING) feed the event rows and the rollup increments. A redelivered or replayed event
 * returns no key, so it changes nothing anywhere. Rollup rows are upserted in key order so two ledger instances
 * writing the same rollups (during a rebalance) lock them in the same order and cannot deadlock.
 */
const INSERT_BATCH = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                       $11::text[], $12::int[], $13::int[], $14::int[], $15::bool[], $16::int8[], $17::int8[], $18::int[], $19::int[], $20::bool[], $21::timestamptz[], $22::text[])
    AS t(tenant_id, request_id, call_id, attempt, user_hash, feature, model, deployment, provider, source,
         status, tokens_in, tokens_cached_in, tokens_out, tokens_estimated, cost_micros, saved_micros, latency_ms, retries, fallback, occurred_at, fallback_step)
),
fresh AS (
  INSERT INTO usage_keys (tenant_id, request_id, call_id, occurred_at)
  SELECT tenant_id, request_id, call_id, occurred_at FROM input ORDER BY tenant_id, request_id, call_id
  ON CONFLICT DO NOTHING
  RETURNING tenant_id, request_id, call_id
),
rows AS (
  SELECT i.* FROM input i JOIN fresh f USING (tenant_id, request_id, call_id)
),
events AS (
  INSERT INTO usage_events (request_id, call_id, attempt, tenant_id, user_hash, feature, model, deployment, provider, source, status,
    tokens_in, tokens_cached_in, tokens_out, tokens_estimated, cost_micros, saved_micros, latency_ms, retries, fallback, occurred_at, fallback_step)
  SELECT request_id, call_id, attempt, tenant_id, user_hash, feature, model, deployment, provider, source, status,
    tokens_in, tokens_cached_in, tokens_out, tokens_estimated, cost_micros, saved_micros, latency_ms, retries, fallback, occurred_at, fallback_step FROM rows
),
hourly AS (
  INSERT INTO usage_hourly AS t (tenant_id, hour, feature, model, provider, fallback_step, ${ROLLUP_METRICS})
  SELECT tenant_id, date_trunc('hour', occurred_at), coalesce(feature, ''), model, provider, coalesce(fallback_step, ''), ${SUMS}
  FROM rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (tenant_id, hour, feature, model, provider, fallback_step) DO UPDATE SET ${ADD}
),
daily AS (
  INSERT INTO usage_daily AS t (tenant_id, day, feature, model, provider, fallback_step, ${ROLLUP_METRICS})
  SELECT tenant_id, occurred_at::date, coalesce(feature, ''), model, provider, coalesce(fallback_step, ''), ${SUMS}
  FROM rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (tenant_id, day, feature, model, provider, fallback_step) DO UPDATE SET ${ADD}
),
tenants AS (
  INSERT INTO usage_daily_tenants AS t
  SELECT tenant_id, occurred_at::date, count(*), count(*) FILTER (WHERE source = 'cache'), sum(tokens_in), sum(tokens_out), sum(cost_micros), sum(saved_micros)
  FROM rows GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (tenant_id, day) DO UPDATE SET ${['calls', 'cache_hits', 'tokens_in', 'tokens_out', 'cost_micros', 'saved_micros'].map((c) => `${c} = t.${c} + excluded.${c}`).join(', ')}
),
users AS (
  INSERT INTO usage_daily_users AS t
  SELECT tenant_id, occurred_at::date, coalesce(user_hash, ''), count(*), sum(tokens_in), sum(tokens_out), sum(cost_micros), sum(saved_micros)
  FROM rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (tenant_id, day, user_hash) DO UPDATE SET ${['calls', 'tokens_in', 'tokens_out', 'cost_micros', 'saved_micros'].map((c) => `${c} = t.${c} + excluded.${c}`).join(', ')}
)
SELECT tenant_id, request_id::text AS request_id, call_id FROM fresh`;

/** Batched, exactly-once writes of usage and its rollups (the ingestion hot path, plain SQL over pg). */
export class UsageIngestRepository {
  constructor(private readonly pool: PgPool) {}

  /** Inserts the rows not recorded before, in one transaction; returns the keys it inserted. */
  async insertBatch(rows: readonly UsageRow[]): Promise<{ tenantId: string; requestId: string; callId: string }[]> {
    if (rows.length === 0) return [];
    const col = <K extends keyof UsageRow>(k: K) => rows.map((r) => r[k]);
    const params = [
      col('tenantId'),
      col('requestId'),
      col('callId'),
      col('attempt'),
      col('userHash'),
      col('feature'),
      col('model'),
      col('deployment'),
      col('provider'),
      col('source'),
      col('status'),
      col('tokensIn'),
      col('tokensCachedIn'),
      col('tokensOut'),
      col('tokensEstimated'),
      rows.map((r) => r.costMicros.toString()),
      rows.map((r) => r.savedMicros.toString()),
      col('latencyMs'),
      col('retries'),
      col('fallback'),
      rows.map((r) => r.occurredAt.toISOString()),
      col('fallbackStep'),
    ];
    // A single statement is its own transaction: keys, events and rollups commit together or not at all.
    const { rows: inserted } = await this.pool.query<{ tenant_id: string; request_id: string; call_id: string }>(INSERT_BATCH, params);
    return inserted.map((r) => ({ tenantId: r.tenant_id, requestId: r.request_id, callId: r.call_id }));
  }

  /** Of these tenant ids, the ones the ledger knows. */
  async existingTenants(tenantIds: readonly string[]): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ id: string }>('SELECT id FROM tenants WHERE id = ANY($1::text[])', [tenantIds]);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Monthly partitions from `monthsBack` before `now` to `monthsAhead` after, created when missing. A month
   * whose rows already fell into the default partition is left there (and logged by the caller).
   */
  async ensurePartitions(now: Date, monthsBack: number, monthsAhead: number): Promise<string[]> {
    const created: string[] = [];
    for (let i = -monthsBack; i <= monthsAhead; i++) {
      const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1));
      const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
      const name = `usage_events_${start.getUTCFullYear()}${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
      const { rows } = await this.pool.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [name]);
      if (rows[0]!.exists) continue;
      await this.pool.query(`CREATE TABLE IF NOT EXISTS "${name}" PARTITION OF usage_events FOR VALUES FROM ('${start.toISOString()}') TO ('${end.toISOString()}')`);
      created.push(name);
    }
    return created;
  }
}
