import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase } from '@llm/testing';
import { findMigrationsDir, migrate } from './migrate';
import { createPrismaClient } from './prisma.client';
import { seedTenant } from './seed';

/** Each test migrates a database of its own, created from the test server's admin connection. */

describe('migrate', () => {
  it('applies every migration once, records it like Prisma, and the client works on the result', async () => {
    const url = await freshDatabase('mig');
    const first = await migrate(url);
    expect(first.applied.length).toBeGreaterThan(0);
    expect(await migrate(url)).toEqual({ applied: [], alreadyApplied: first.applied });

    const prisma = createPrismaClient(url);
    try {
      await seedTenant(prisma, { tenantId: 'acme', tier: 'paid', apiKey: 'sk-test-key-12345678' });
      await seedTenant(prisma, { tenantId: 'acme', tier: 'paid', apiKey: 'sk-test-key-12345678' });
      expect(await prisma.apiKey.count({ where: { tenantId: 'acme' } })).toBe(1);
      const row = {
        requestId: '7c2b9f3e-1d4a-4c1b-9a57-2a1f0c9e8d11',
        callId: 'call-0',
        attempt: 1,
        tenantId: 'acme',
        model: 'm',
        provider: 'p',
        source: 'model',
        status: 'succeeded',
        tokensIn: 1,
        tokensOut: 2,
        costMicros: 3n,
        latencyMs: 4,
        occurredAt: new Date(),
      };
      // usage_events has no Prisma client (no unique criterion, see schema.prisma): the ledger writes it in SQL too.
      await prisma.$executeRaw`insert into usage_events (request_id, call_id, attempt, tenant_id, model, provider, source, status, tokens_in, tokens_out, cost_micros, latency_ms, occurred_at)
        values (${row.requestId}::uuid, ${row.callId}, ${row.attempt}, ${row.tenantId}, ${row.model}, ${row.provider}, ${row.source}, ${row.status}, ${row.tokensIn}, ${row.tokensOut}, ${row.costMicros}, ${row.latencyMs}, ${row.occurredAt})`;
      // The dedup key of a usage row is in usage_keys (the ledger inserts there first, ON CONFLICT DO NOTHING).
      const key = { tenantId: row.tenantId, requestId: row.requestId, callId: row.callId, occurredAt: row.occurredAt };
      await prisma.usageKey.create({ data: key });
      await expect(prisma.usageKey.create({ data: key })).rejects.toThrow();
    } finally {
      await prisma.$disconnect();
    }
  });

  it('does not double-apply when two migrators race', async () => {
    const url = await freshDatabase('mig');
    const [a, b] = await Promise.all([migrate(url), migrate(url)]);
    expect([...a.applied, ...b.applied].sort()).toEqual([...a.applied, ...a.alreadyApplied].sort());
  });

  it('refuses a migration that changed after it was applied', async () => {
    const url = await freshDatabase('mig');
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    cpSync(findMigrationsDir(), dir, { recursive: true });
    await migrate(url, dir);
    writeFileSync(join(dir, '20261123000000_init', 'migration.sql'), '-- edited\n');
    await expect(migrate(url, dir)).rejects.toThrow(/checksum mismatch/);
  });
});
