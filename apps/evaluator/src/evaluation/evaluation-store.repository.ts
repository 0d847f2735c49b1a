import type { PgPool } from '@llm/db';
import type { ContextChunk } from './judges/judge.types';

export interface EvaluationRow {
  evaluationId: string;
  requestId: string;
  judge: string;
  feature?: string;
  model?: string;
  score: number;
  passed: boolean;
  details?: string;
  latencyMs?: number;
  costMicros?: number;
  evaluatedAt: Date;
}

export interface SampleRequestHalf {
  requestId: string;
  feature?: string;
  body: unknown;
  context: readonly ContextChunk[];
  rag: boolean;
  route?: string;
}

export interface SampleResultHalf {
  requestId: string;
  feature?: string;
  status: string;
  source: string;
  model?: string;
  answer?: string | null;
  latencyMs: number;
  costMicros: number;
  completedAt: Date;
}

/** A sample with both halves, claimed for judging. */
export interface JoinedSample {
  tenantId: string;
  requestId: string;
  feature: string | null;
  body: unknown;
  context: ContextChunk[];
  rag: boolean;
  status: string;
  model: string | null;
  answer: string | null;
  latencyMs: number;
  costMicros: number;
}

/** A past request as shadow replay reads it. */
export interface ReplayableSample extends JoinedSample {
  route: string | null;
  sampledAt: Date;
}

/** Postgres persistence of verdicts and sampled traffic. Every method takes the tenant first and filters on it. */
export class EvaluationStoreRepository {
  constructor(private readonly pool: PgPool) {}

  /** Inserts verdicts once: a redelivered result's verdicts have the same ids and are skipped. */
  async saveEvaluations(tenantId: string, rows: readonly EvaluationRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.pool.query(
      `insert into evaluations (evaluation_id, tenant_id, request_id, judge, feature, model, score, passed, details, latency_ms, cost_micros, evaluated_at)
       select e.evaluation_id, $1, e.request_id, e.judge, e.feature, e.model, e.score, e.passed, e.details, e.latency_ms, e.cost_micros, e.evaluated_at
       from unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::bool[], $9::text[], $10::int[], $11::bigint[], $12::timestamptz[])
         as e(evaluation_id, request_id, judge, feature, model, score, passed, details, latency_ms, cost_micros, evaluated_at)
       on conflict (evaluation_id) do nothing`,
      [
        tenantId,
        rows.map((r) => r.evaluationId),
        rows.map((r) => r.requestId),
        rows.map((r) => r.judge),
        rows.map((r) => r.feature ?? null),
        rows.map((r) => r.model ?? null),
        rows.map((r) => r.score),
        rows.map((r) => r.passed),
        rows.map((r) => r.details ?? null),
        rows.map((r) => r.latencyMs ?? null),
        rows.map((r) => r.costMicros ?? null),
        rows.map((r) => r.evaluatedAt),
      ],
    );
  }

  async findEvaluations(tenantId: string, requestId: string): Promise<EvaluationRow[]> {
    const { rows } = await this.pool.query<Record<string, unknown>>('select * from evaluations where tenant_id = $1 and request_id = $2 order by judge', [tenantId, requestId]);
    return rows.map(toEvaluationRow);
  }

  /** A tenant's verdicts since a time, oldest first, bounded (a report reads a window, not the whole history). */
  async findEvaluationsSince(tenantId: string, since: Date, limit = 100_000): Promise<EvaluationRow[]> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      'select * from evaluations where tenant_id = $1 and evaluated_at >= $2 order by evaluated_at, request_id, judge limit $3',
      [tenantId, since, limit],
    );
    return rows.map(toEvaluationRow);
  }

  async saveRequestHalf(tenantId: string, half: SampleRequestHalf): Promise<void> {
    await this.pool.query(
      `insert into evaluation_samples (tenant_id, request_id, feature, body, context, rag, route) values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (tenant_id, request_id) do update set body = excluded.body, context = excluded.context, rag = excluded.rag, route = excluded.route,
         feature = coalesce(evaluation_samples.feature, excluded.feature)`,
      [tenantId, half.requestId, half.feature ?? null, JSON.stringify(half.body), JSON.stringify(half.context), half.rag, half.route ?? null],
    );
  }

  async saveResultHalf(tenantId: string, half: SampleResultHalf): Promise<void> {
    await this.pool.query(
      `insert into evaluation_samples (tenant_id, request_id, feature, status, source, model, answer, latency_ms, cost_micros, completed_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       on conflict (tenant_id, request_id) do update set status = excluded.status, source = excluded.source, model = excluded.model,
         answer = excluded.answer, latency_ms = excluded.latency_ms, cost_micros = excluded.cost_micros, completed_at = excluded.completed_at,
         feature = coalesce(evaluation_samples.feature, excluded.feature)`,
      [tenantId, half.requestId, half.feature ?? null, half.status, half.source, half.model ?? null, half.answer ?? null, half.latencyMs, half.costMicros, half.completedAt],
    );
  }

  /**
   * Claims the sample for judging once both halves are there: whichever half arrives second wins, exactly once,
   * even when both arrive at the same moment on two partitions.
   */
  async claimJoined(tenantId: string, requestId: string): Promise<JoinedSample | undefined> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `update evaluation_samples set judged_at = now()
       where tenant_id = $1 and request_id = $2 and judged_at is null and body is not null and completed_at is not null
       returning *`,
      [tenantId, requestId],
    );
    return rows[0] ? toJoined(rows[0]) : undefined;
  }

  async findSample(tenantId: string, requestId: string): Promise<JoinedSample | undefined> {
    const { rows } = await this.pool.query<Record<string, unknown>>('select * from evaluation_samples where tenant_id = $1 and request_id = $2', [tenantId, requestId]);
    return rows[0] ? toJoined(rows[0]) : undefined;
  }

  /** Gives the claim back when judging failed, so the retried delivery judges it. */
  async releaseClaim(tenantId: string, requestId: string): Promise<void> {
    await this.pool.query('update evaluation_samples set judged_at = null where tenant_id = $1 and request_id = $2', [tenantId, requestId]);
  }

  /** Recent answered samples of one tenant (and feature), newest first, for shadow replay. */
  async findReplayable(tenantId: string, options: { feature?: string; limit: number; since?: Date }): Promise<ReplayableSample[]> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `select * from evaluation_samples
       where tenant_id = $1 and body is not null and completed_at is not null and status = 'succeeded' and source = 'model'
         and ($2::text is null or feature = $2) and ($3::timestamptz is null or sampled_at >= $3)
       order by sampled_at desc limit $4`,
      [tenantId, options.feature ?? null, options.since ?? null, options.limit],
    );
    return rows.map((r) => ({ ...toJoined(r), route: r.route == null ? null : String(r.route), sampledAt: r.sampled_at as Date }));
  }

  /** Retention: sampled prompts do not outlive their use. Not tenant-scoped: it runs for every tenant alike. */
  async deleteSamplesBefore(cutoff: Date): Promise<number> {
    const { rowCount } = await this.pool.query('delete from evaluation_samples where sampled_at < $1', [cutoff]);
    return rowCount ?? 0;
  }
}

function toEvaluationRow(r: Record<string, unknown>): EvaluationRow {
  return {
    evaluationId: String(r.evaluation_id),
    requestId: String(r.request_id),
    judge: String(r.judge),
    ...(r.feature != null ? { feature: String(r.feature) } : {}),
    ...(r.model != null ? { model: String(r.model) } : {}),
    score: Number(r.score),
    passed: Boolean(r.passed),
    ...(r.details != null ? { details: String(r.details) } : {}),
    ...(r.latency_ms != null ? { latencyMs: Number(r.latency_ms) } : {}),
    ...(r.cost_micros != null ? { costMicros: Number(r.cost_micros) } : {}),
    evaluatedAt: r.evaluated_at as Date,
  };
}

function toJoined(r: Record<string, unknown>): JoinedSample {
  return {
    tenantId: String(r.tenant_id),
    requestId: String(r.request_id),
    feature: r.feature == null ? null : String(r.feature),
    body: r.body,
    context: Array.isArray(r.context) ? (r.context as ContextChunk[]) : [],
    rag: Boolean(r.rag),
    status: String(r.status ?? ''),
    model: r.model == null ? null : String(r.model),
    answer: r.answer == null ? null : String(r.answer),
    latencyMs: Number(r.latency_ms ?? 0),
    costMicros: Number(r.cost_micros ?? 0),
  };
}
