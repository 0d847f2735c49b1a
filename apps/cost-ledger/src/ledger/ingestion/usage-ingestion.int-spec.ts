import { randomBytes, randomUUID } from 'node:crypto';
import { createPgPool, createPrismaClient, migrate, seedTenant, type PgPool } from '@llm/db';
import { freshDatabase, quietLogger } from '@llm/testing';
import { PartitionMaintainer } from './partition-maintainer';
import { UsageIngestRepository } from './usage-ingest.repository';
import { UsageIngestion } from './usage-ingestion.service';
import type { UsageRow } from './usage-row';

/** Batched ingestion on real Postgres: rollups exact to the micro-dollar, replays change nothing. */
describe('usage ingestion (batched, exactly once)', () => {
  let pool: PgPool;
  let ingestion: UsageIngestion;
  const tenants = [0, 1, 2].map((i) => `ing-${i}-${randomBytes(3).toString('hex')}`);
  const recorded: UsageRow[] = [];

  beforeAll(async () => {
    const url = await freshDatabase('ingest');
    await migrate(url);
    const prisma = createPrismaClient(url);
    for (const t of tenants) await seedTenant(prisma, { tenantId: t, tier: 'paid', apiKey: `sk-${randomUUID()}` });
    await prisma.$disconnect();
    pool = createPgPool(url);
    ingestion = new UsageIngestion(new UsageIngestRepository(pool), [{ onRecorded: async (rows) => void recorded.push(...rows) }], quietLogger(), {
      maxItems: 64,
      lingerMs: 2,
      maxConcurrent: 2,
    });
  });
  afterAll(() => pool.end());

  // Deterministic pseudo-random events over two days, several hours, features, models and users.
  const events: UsageRow[] = Array.from({ length: 400 }, (_, i) => ({
    tenantId: tenants[i % 3]!,
    requestId: randomUUID(),
    callId: i % 5 === 0 ? 'cache' : `c${1 + (i % 2)}`,
    attempt: 1,
    userHash: i % 4 === 0 ? null : `u${i % 7}`,
    feature: i % 3 === 0 ? null : `f${i % 2}`,
    model: ['small', 'large', 'mid'][i % 3]!,
    deployment: 'd1',
    provider: i % 2 ? 'openai' : 'vllm',
    source: i % 5 === 0 ? 'cache' : 'model',
    status: 'succeeded',
    tokensIn: 100 + i,
    tokensCachedIn: i % 10,
    tokensOut: 7 * i,
    tokensEstimated: false,
    costMicros: BigInt(((i * 7919) % 100_003) + 1) * 13n,
    savedMicros: BigInt(i % 5 === 0 ? 999 + i : 0),
    latencyMs: 10 + i,
    retries: i % 3,
    fallback: i % 11 === 0,
    fallbackStep: i % 11 === 0 ? 'other-deployment' : i % 13 === 0 ? 'cheaper-model' : i % 4 === 0 ? null : 'primary',
    occurredAt: new Date(Date.UTC(2026, 10, 20 + (i % 2), i % 24, i % 60, 1)),
  }));

  const totals = async () =>
    (
      await pool.query<{ k: string; cost: string; calls: string; tin: string; tout: string; saved: string }>(
        `
        select 'h:' || tenant_id || ':' || model as k, sum(cost_micros)::text cost, sum(calls)::text calls, sum(tokens_in)::text tin, sum(tokens_out)::text tout, sum(saved_micros)::text saved
          from usage_hourly where tenant_id = any($1) group by 1
        union all
        select 'd:' || tenant_id || ':' || model, sum(cost_micros)::text, sum(calls)::text, sum(tokens_in)::text, sum(tokens_out)::text, sum(saved_micros)::text
          from usage_daily where tenant_id = any($1) group by 1
        union all
        select 'e:' || tenant_id || ':' || model, sum(cost_micros)::text, count(*)::text, sum(tokens_in)::text, sum(tokens_out)::text, sum(saved_micros)::text
          from usage_events where tenant_id = any($1) group by 1
        order by 1`,
        [tenants],
      )
    ).rows;

  it('sums events, hourly and daily rollups exactly to the micro-dollar against an independent computation', async () => {
    const outcomes = await Promise.all(events.map((e) => ingestion.record(e)));
    expect(outcomes.every((o) => o === true)).toBe(true);
    const expected = new Map<string, { cost: bigint; calls: number; tin: number; tout: number; saved: bigint }>();
    for (const e of events) {
      const k = `${e.tenantId}:${e.model}`;
      const t = expected.get(k) ?? { cost: 0n, calls: 0, tin: 0, tout: 0, saved: 0n };
      expected.set(k, { cost: t.cost + e.costMicros, calls: t.calls + 1, tin: t.tin + e.tokensIn, tout: t.tout + e.tokensOut, saved: t.saved + e.savedMicros });
    }
    const rows = await totals();
    expect(rows).toHaveLength(expected.size * 3);
    for (const r of rows) {
      const want = expected.get(r.k.slice(2))!;
      expect([r.cost, r.calls, r.tin, r.tout, r.saved]).toEqual([want.cost.toString(), String(want.calls), String(want.tin), String(want.tout), want.saved.toString()]);
    }
    await ingestion.drain();
    expect(recorded).toHaveLength(events.length);
  });

  it('leaves every total unchanged when the same events are replayed three times (also duplicated within one batch)', async () => {
    const before = await totals();
    for (let round = 0; round < 3; round++) {
      const replay = [...events, ...events.slice(0, 50)].sort(() => Math.random() - 0.5).map((e) => ({ ...e, attempt: 2 + round, occurredAt: new Date() }));
      const outcomes = await Promise.all(replay.map((e) => ingestion.record(e)));
      expect(outcomes.filter((o) => o !== false)).toEqual([]);
    }
    expect(await totals()).toEqual(before);
    // Listeners (budget settlement, alerts) never heard of a replayed row.
    await ingestion.drain();
    expect(recorded).toHaveLength(events.length);
  });

  it('keeps the fallback step of every call on its event and as a rollup dimension', async () => {
    const expected = new Map<string, { cost: bigint; calls: number }>();
    for (const e of events) {
      const k = `${e.tenantId}:${e.fallbackStep ?? ''}`;
      const t = expected.get(k) ?? { cost: 0n, calls: 0 };
      expected.set(k, { cost: t.cost + e.costMicros, calls: t.calls + 1 });
    }
    const want = [...expected].map(([k, v]) => ({ k, cost: v.cost.toString(), calls: String(v.calls) })).sort((a, b) => a.k.localeCompare(b.k));
    for (const table of ['usage_hourly', 'usage_daily']) {
      const { rows } = await pool.query<{ k: string; cost: string; calls: string }>(
        `select tenant_id || ':' || fallback_step as k, sum(cost_micros)::text cost, sum(calls)::text calls from ${table} where tenant_id = any($1) group by 1 order by 1`,
        [tenants],
      );
      expect(rows.sort((a, b) => a.k.localeCompare(b.k))).toEqual(want);
    }
    const { rows: stored } = await pool.query<{ request_id: string; fallback_step: string | null }>(
      'select request_id::text, fallback_step from usage_events where tenant_id = any($1)',
      [tenants],
    );
    const byRequest = new Map(stored.map((r) => [r.request_id, r.fallback_step]));
    for (const e of events) expect(byRequest.get(e.requestId)).toBe(e.fallbackStep);
  });

  it('writes a call duplicated inside one batch once and answers the copy as already recorded', async () => {
    const e = { ...events[0]!, requestId: randomUUID() };
    const [a, b] = await Promise.all([ingestion.record(e), ingestion.record({ ...e })]);
    expect([a, b].sort()).toEqual([false, true]);
    const { rows } = await pool.query('select 1 from usage_events where tenant_id = $1 and request_id = $2', [e.tenantId, e.requestId]);
    expect(rows).toHaveLength(1);
  });
  it("waits for the partition maintainer before its first write, so last month's late rows land in their own partition", async () => {
    // A database migrated just now has partitions from this month on; the previous month's comes from the maintainer.
    const url = await freshDatabase('ingestparts');
    await migrate(url);
    const prisma = createPrismaClient(url);
    await seedTenant(prisma, { tenantId: tenants[0]!, tier: 'paid', apiKey: `sk-${randomUUID()}` });
    await prisma.$disconnect();
    const fresh = createPgPool(url);
    try {
      const repo = new UsageIngestRepository(fresh);
      const maintainer = new PartitionMaintainer(repo, quietLogger());
      const gated = new UsageIngestion(repo, [], quietLogger(), { maxItems: 10, lingerMs: 1 }, () => maintainer.ready());
      const now = new Date();
      const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15, 12));
      // The consumer may deliver before the application bootstrap hooks run: nothing has called the maintainer yet.
      expect(await gated.record({ ...events[0]!, requestId: randomUUID(), occurredAt: lastMonth })).toBe(true);
      const { rows } = await fresh.query<{ part: string }>('select tableoid::regclass::text as part from usage_events');
      const month = `${lastMonth.getUTCFullYear()}${String(lastMonth.getUTCMonth() + 1).padStart(2, '0')}`;
      expect(rows).toEqual([{ part: `usage_events_${month}` }]);
    } finally {
      await fresh.end();
    }
  });
});
