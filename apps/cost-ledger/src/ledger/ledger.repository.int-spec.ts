import { randomBytes, randomUUID } from 'node:crypto';
import type { UsageV1 } from '@llm/contracts';
import { createPrismaClient, migrate, seedTenant, type PrismaClient } from '@llm/db';
import { MetricsRegistry } from '@llm/telemetry';
import { testInfra } from '@llm/testing';
import { LedgerRepository } from './ledger.repository';
import { GetUsageSummaryCommand } from './use-cases/get-usage-summary/get-usage-summary.command';
import { GetUsageSummaryUseCase } from './use-cases/get-usage-summary/get-usage-summary.use-case';
import { RecordUsageCommand } from './use-cases/record-usage/record-usage.command';
import { RecordUsageUseCase } from './use-cases/record-usage/record-usage.use-case';

describe('cost ledger on real Postgres', () => {
  let prisma: PrismaClient;
  let record: RecordUsageUseCase;
  let summary: GetUsageSummaryUseCase;
  const tenantA = `ledger-a-${randomBytes(3).toString('hex')}`;
  const tenantB = `ledger-b-${randomBytes(3).toString('hex')}`;

  const usage = (tenant: string, overrides: Partial<UsageV1> = {}): UsageV1 => ({
    request_id: randomUUID(),
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
    latency_ms: 12,
    occurred_at: new Date().toISOString(),
    ...overrides,
  });
  const rows = (requestId: string) => prisma.usageEvent.findMany({ where: { requestId } });

  beforeAll(async () => {
    await migrate(testInfra().DATABASE_URL);
    prisma = createPrismaClient(testInfra().DATABASE_URL);
    await seedTenant(prisma, { tenantId: tenantA, tier: 'paid', apiKey: `sk-${randomUUID()}` });
    await seedTenant(prisma, { tenantId: tenantB, tier: 'free', apiKey: `sk-${randomUUID()}` });
    const repo = new LedgerRepository(prisma);
    record = new RecordUsageUseCase(repo, new MetricsRegistry('test', { defaultMetrics: false }));
    summary = new GetUsageSummaryUseCase(repo);
  });
  afterAll(() => prisma.$disconnect());

  it('records an attempt once however often it is delivered, and a retry attempt separately', async () => {
    const u = usage(tenantA);
    expect(await record.execute(RecordUsageCommand.create(u))).toBe(true);
    expect(await record.execute(RecordUsageCommand.create(u))).toBe(false);
    expect(await record.execute(RecordUsageCommand.create({ ...u, attempt: 2 }))).toBe(true);
    const stored = await rows(u.request_id);
    expect(stored.map((r) => r.attempt).sort()).toEqual([1, 2]);
    expect(stored[0]!.costMicros).toBe(45n);
    expect(stored[0]!.userHash).not.toContain('alice');
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

  it("sums one tenant's usage and never another's", async () => {
    await record.execute(RecordUsageCommand.create(usage(tenantB, { cost_micros: 1_000, model: 'sim-large' })));
    const a = await summary.execute(GetUsageSummaryCommand.create({ tenant_id: tenantA }));
    const b = await summary.execute(GetUsageSummaryCommand.create({ tenant_id: tenantB }));
    expect(a.models.map((m) => m.model)).toEqual(['sim-small']);
    expect(a.totals.cost_micros).toBe(45 * 3);
    expect(b.totals).toEqual({ requests: 1, tokens_in: 100, tokens_out: 50, cost_micros: 1_000 });
  });
});
