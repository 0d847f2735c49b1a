import { randomBytes, randomUUID } from 'node:crypto';
import { BudgetStore } from '@llm/budgets';
import { createPgPool, createPrismaClient, migrate, seedTenant, type PgPool } from '@llm/db';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { freshDatabase, quietLogger, testInfra } from '@llm/testing';
import Redis from 'ioredis';
import { AlertEvaluator } from '../alerts/alert-evaluator';
import { AlertRepository } from '../alerts/alert.repository';
import { WebhookSender } from '../alerts/webhook.sender';
import { UsageIngestRepository } from '../ledger/ingestion/usage-ingest.repository';
import { UsageIngestion } from '../ledger/ingestion/usage-ingestion.service';
import type { UsageRow } from '../ledger/ingestion/usage-row';
import { BudgetReconciler } from './budget-reconciler';
import { BudgetSettler } from './budget-settler';
import { BudgetStateRepository } from './budget-state.repository';

/** Budget settlement and alerts on real Postgres and Redis, through the real ingestion path. */
describe('budgets and alerts from recorded usage', () => {
  let pool: PgPool;
  let redis: Redis;
  let store: BudgetStore;
  let ingestion: UsageIngestion;
  let reconciler: BudgetReconciler;
  let evaluator: AlertEvaluator;
  let dbUrl: string;
  const publisher = new InMemoryEventPublisher();
  const tenant = `ba-${randomBytes(4).toString('hex')}`;
  const now = new Date();

  const row = (costMicros: bigint, overrides: Partial<UsageRow> = {}): UsageRow => ({
    tenantId: tenant,
    requestId: randomUUID(),
    callId: 'c1',
    attempt: 1,
    userHash: 'uh1',
    feature: 'chat',
    model: 'm',
    deployment: null,
    provider: 'p',
    source: 'model',
    status: 'succeeded',
    tokensIn: 10,
    tokensCachedIn: 0,
    tokensOut: 5,
    tokensEstimated: false,
    costMicros,
    savedMicros: 0n,
    latencyMs: 1,
    retries: 0,
    fallback: false,
    fallbackStep: null,
    occurredAt: now,
    ...overrides,
  });

  beforeAll(async () => {
    const url = (dbUrl = await freshDatabase('budgets'));
    await migrate(url);
    const prisma = createPrismaClient(url);
    await seedTenant(prisma, { tenantId: tenant, tier: 'paid', apiKey: `sk-${randomUUID()}` });
    await prisma.budget.create({ data: { tenantId: tenant, scope: 'tenant', period: 'day', limitMicros: 1_000_000n } });
    await prisma.$disconnect();
    pool = createPgPool(url);
    redis = new Redis(testInfra().REDIS_URL);
    store = new BudgetStore(redis);
    evaluator = new AlertEvaluator(new AlertRepository(pool), publisher, new WebhookSender(quietLogger(), { attempts: 1, timeoutMs: 100 }), quietLogger());
    ingestion = new UsageIngestion(new UsageIngestRepository(pool), [new BudgetSettler(store), evaluator], quietLogger(), { maxItems: 100, lingerMs: 2 });
    reconciler = new BudgetReconciler(new BudgetStateRepository(pool), store, quietLogger());
    await reconciler.reconcile(now);
  });
  afterAll(async () => {
    await pool.end();
    await redis.quit();
  });

  it('settles recorded usage once (replays settle nothing), releases the reservation, and reconciliation agrees', async () => {
    const rows = [row(100_000n), row(200_000n), row(250_000n)];
    const req = rows[0]!;
    await store.reserve({ tenantId: tenant, userHash: 'uh1', feature: 'chat' }, req.requestId, { micros: 400_000, tokens: 100 }, now);
    await Promise.all(rows.map((r) => ingestion.record(r)));
    await ingestion.drain();
    const after = await store.read(tenant, 'tenant', '', 'day', now);
    expect(after).toMatchObject({ spentMicros: 550_000, reservedMicros: 0, spentTokens: 45, limitMicros: 1_000_000 });
    for (let i = 0; i < 3; i++) await Promise.all(rows.map((r) => ingestion.record({ ...r, attempt: 2 })));
    await ingestion.drain();
    expect(await store.read(tenant, 'tenant', '', 'day', now)).toEqual(after);
    // Redis lost the state (or drifted): reconciliation rebuilds it from Postgres.
    await redis.hset(`t:${tenant}:budget:tenant::${'d' + now.toISOString().slice(0, 10).replaceAll('-', '')}`, 'spent_micros', 1);
    await reconciler.reconcile(now);
    expect(await store.read(tenant, 'tenant', '', 'day', now)).toMatchObject({ spentMicros: 550_000, limitMicros: 1_000_000 });
  });

  it('raises the 80% and 100% daily budget alerts and the expensive-request alert once each, to llm.alerts.v1', async () => {
    const expensive = row(600_000n);
    await ingestion.record(expensive); // 1.15 $ of 1 $: 80% and 100% crossed, one request above 0.50 $
    await ingestion.record({ ...expensive, attempt: 3 });
    await ingestion.record(row(1n)); // past the thresholds again, same day: no new budget alert
    await ingestion.drain();
    const alerts = publisher.on('llm.alerts.v1').filter((a) => a.tenant_id === tenant);
    expect(alerts.map((a) => `${a.kind}:${a.severity}`).sort()).toEqual(['daily_budget_threshold:critical', 'daily_budget_threshold:warning', 'expensive_request:warning']);
    const { rows } = await pool.query('SELECT kind, window_key, published_at FROM alerts WHERE tenant_id = $1', [tenant]);
    expect(rows).toHaveLength(3);
    expect(rows.every((r: { published_at: Date | null }) => r.published_at !== null)).toBe(true);
  });

  it('sends an alert whose publish failed (broker down) later, once, with the other instances never sending it twice', async () => {
    const other = `ba2-${randomBytes(4).toString('hex')}`;
    const prisma = createPrismaClient(dbUrl);
    await seedTenant(prisma, { tenantId: other, tier: 'paid', apiKey: `sk-${randomUUID()}` });
    await prisma.$disconnect();
    publisher.failNext = new Error('broker down');
    await ingestion.record(row(700_000n, { tenantId: other })); // one request above 0.50 $: one alert
    await ingestion.drain();
    const sent = () => publisher.on('llm.alerts.v1').filter((a) => a.tenant_id === other);
    expect(sent()).toHaveLength(0);
    const { rows } = await pool.query<{ published_at: Date | null }>('SELECT published_at FROM alerts WHERE tenant_id = $1', [other]);
    expect(rows).toEqual([{ published_at: null }]);
    // Two ledger instances' re-senders run at once: the alert is claimed by one of them.
    const [a, b] = await Promise.all([evaluator.resendUnpublished(0), evaluator.resendUnpublished(0)]);
    expect(a + b).toBe(1);
    expect(await evaluator.resendUnpublished(0)).toBe(0);
    expect(sent().map((e) => e.kind)).toEqual(['expensive_request']);
  });
});
