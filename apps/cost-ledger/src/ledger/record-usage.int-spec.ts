import { randomBytes, randomUUID } from 'node:crypto';
import type { UsageV1 } from '@llm/contracts';
import { createPgPool, createPrismaClient, migrate, seedTenant, type PgPool, type PrismaClient } from '@llm/db';
import { MetricsRegistry } from '@llm/telemetry';
import { freshDatabase, quietLogger } from '@llm/testing';
import { UsageIngestRepository } from './ingestion/usage-ingest.repository';
import { UsageIngestion } from './ingestion/usage-ingestion.service';
import { RecordUsageCommand } from './use-cases/record-usage/record-usage.command';
import { RecordUsageUseCase } from './use-cases/record-usage/record-usage.use-case';

/**
 * A database of this file's own: the shared test server's main database may be at another branch's migrations,
 * and this file applies the ledger's newest ones.
 */

interface StoredRow {
  tenantId: string;
  callId: string;
  attempt: number;
  status: string;
  userHash: string | null;
  costMicros: bigint;
  tokensCachedIn: number;
  tokensEstimated: boolean;
}

describe('cost ledger on real Postgres', () => {
  let prisma: PrismaClient;
  let pool: PgPool;
  let record: RecordUsageUseCase;
  const tenantA = `ledger-a-${randomBytes(3).toString('hex')}`;
  const tenantB = `ledger-b-${randomBytes(3).toString('hex')}`;

  const usage = (tenant: string, overrides: Partial<UsageV1> = {}): UsageV1 => ({
    request_id: randomUUID(),
    call_id: 'call-0',
    attempt: 1,
    tenant_id: tenant,
    user_id: 'alice@example.com',
    model: 'sim-small',
    provider: 'sim',
    source: 'model',
    status: 'succeeded',
    tokens_in: 100,
    tokens_out: 50,
    cost_micros: 45,
    tokens_cached_in: 0,
    tokens_estimated: false,
    latency_ms: 12,
    occurred_at: new Date().toISOString(),
    ...overrides,
  });
  // Raw SQL: reads the columns this branch's migration adds whatever Prisma client was generated last.
  const rows = (requestId: string) =>
    prisma.$queryRaw<StoredRow[]>`
      select tenant_id as "tenantId", call_id as "callId", attempt, status, user_hash as "userHash", cost_micros as "costMicros",
             tokens_cached_in as "tokensCachedIn", tokens_estimated as "tokensEstimated"
      from usage_events where request_id = ${requestId}::uuid order by tenant_id, call_id`;

  beforeAll(async () => {
    const url = await freshDatabase('ledger');
    await migrate(url);
    prisma = createPrismaClient(url);
    await seedTenant(prisma, { tenantId: tenantA, tier: 'paid', apiKey: `sk-${randomUUID()}` });
    await seedTenant(prisma, { tenantId: tenantB, tier: 'free', apiKey: `sk-${randomUUID()}` });
    pool = createPgPool(url);
    const ingestion = new UsageIngestion(new UsageIngestRepository(pool), [], quietLogger(), { maxItems: 500, lingerMs: 2 });
    record = new RecordUsageUseCase(ingestion, new MetricsRegistry('test', { defaultMetrics: false }));
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await pool.end();
  });

  it('records a call once however often it is delivered, whatever the delivery attempt', async () => {
    const u = usage(tenantA);
    expect(await record.execute(RecordUsageCommand.create(u))).toBe(true);
    expect(await record.execute(RecordUsageCommand.create(u))).toBe(false);
    // A redelivery republishes the stored outcome with a later Kafka attempt: still the same call.
    expect(await record.execute(RecordUsageCommand.create({ ...u, attempt: 2, occurred_at: new Date().toISOString() }))).toBe(false);
    const stored = await rows(u.request_id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ callId: 'call-0', attempt: 1, costMicros: 45n });
    expect(stored[0]!.userHash).not.toContain('alice');
  });

  it('records a second call of the same request as its own row, with cached and estimated tokens', async () => {
    const u = usage(tenantA);
    await record.execute(RecordUsageCommand.create(u));
    expect(await record.execute(RecordUsageCommand.create({ ...u, call_id: 'call-1', status: 'failed', tokens_cached_in: 40, tokens_estimated: true }))).toBe(true);
    const stored = await rows(u.request_id);
    expect(stored.map((r) => [r.callId, r.status, r.tokensCachedIn, r.tokensEstimated])).toEqual([
      ['call-0', 'succeeded', 0, false],
      ['call-1', 'failed', 40, true],
    ]);
  });

  it("keeps another tenant's identical request and call ids as that tenant's own row", async () => {
    const a = usage(tenantA);
    const b = { ...a, tenant_id: tenantB, cost_micros: 7 };
    expect(await record.execute(RecordUsageCommand.create(a))).toBe(true);
    expect(await record.execute(RecordUsageCommand.create(b))).toBe(true);
    // Neither tenant's replay touches the other's row.
    expect(await record.execute(RecordUsageCommand.create(b))).toBe(false);
    expect(await record.execute(RecordUsageCommand.create(a))).toBe(false);
    const stored = await rows(a.request_id);
    expect(stored.map((r) => [r.tenantId, r.costMicros])).toEqual([
      [tenantA, 45n],
      [tenantB, 7n],
    ]);
  });

  it('inserts one row when duplicates arrive at the same time', async () => {
    const u = usage(tenantA);
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => record.execute(RecordUsageCommand.create(u))));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await rows(u.request_id)).toHaveLength(1);
  });

  it('refuses usage of an unknown tenant as not retryable', async () => {
    await expect(record.execute(RecordUsageCommand.create(usage('no-such-tenant')))).rejects.toMatchObject({ code: 'UNKNOWN_TENANT', retryable: false });
  });
});
