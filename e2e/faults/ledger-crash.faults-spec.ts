import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { inheritedEnvironment, loadConfig } from '@llm/config';
import { TOPIC_SPECS, Topics, type UsageV1 } from '@llm/contracts';
import { BulkProducer, createKafkaClient, partitionFor, type RawMessage } from '@llm/kafka';
import { createTopics, freshDatabase, quietLogger, testInfra, uniquePrefix, waitFor } from '@llm/testing';
import { Client } from 'pg';
import { z } from 'zod';
import { ROOT, ServiceProcesses } from '../support/service-processes';

/**
 * The cost ledger from dist/ consumes llm.usage.v1 in batches (one handler call per fetched batch, offsets
 * committed after the database commit). kill -9 while it ingests a backlog, restart it: every event is
 * counted exactly once, in the events table and in every rollup, to the micro-dollar. Runs on the fault
 * tests' ports (FAULTS_BASE_PORT), after the other fault files have stopped their processes.
 */
const { FAULTS_BASE_PORT } = loadConfig(z.object({ FAULTS_BASE_PORT: z.coerce.number().int().min(1024).max(65_000).default(27_080) }));
const STATE = join(ROOT, '.local/state/faults-ledger');
const EVENTS = 60_000;
const TENANTS = 20;

describe('cost ledger killed mid-batch (kill -9) and restarted', () => {
  const infra = testInfra();
  const prefix = uniquePrefix('ledger-crash');
  let processes: ServiceProcesses | undefined;
  let pg: Client;

  afterAll(async () => {
    await processes?.stopAll();
    await pg?.end();
  }, 60_000);

  it('counts every event exactly once after the restart: events, rollups and the micro-dollar total', async () => {
    const dbUrl = await freshDatabase('ledger_crash');
    // Imported lazily like the other fault specs: Prisma loads only once the suite runs.
    const { migrate } = await import('@llm/db');
    await migrate(dbUrl);
    pg = new Client({ connectionString: dbUrl });
    await pg.connect();
    const tenants = Array.from({ length: TENANTS }, (_, i) => `crash-${i}-${randomBytes(2).toString('hex')}`);
    await pg.query(`insert into tenants (id, name, tier) select unnest($1::text[]), unnest($1::text[]), 'paid'`, [tenants]);
    await createTopics(prefix);

    // The backlog is on the topic before the ledger starts, so the kill lands while whole batches are in flight.
    const kafka = createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'ledger-crash', logger: quietLogger() });
    const producer = new BulkProducer(kafka);
    await producer.connect();
    const spec = TOPIC_SPECS[Topics.usage];
    let expectedMicros = 0n;
    const now = Date.now();
    for (let i = 0; i < EVENTS; i += 10_000) {
      const batch: RawMessage[] = [];
      for (let j = i; j < i + 10_000; j++) {
        const tenant = tenants[j % TENANTS]!;
        const cost = 1 + ((j * 7919) % 5_000);
        expectedMicros += BigInt(cost);
        const event: UsageV1 = {
          request_id: randomUUID(),
          call_id: 'c1',
          attempt: 1,
          tenant_id: tenant,
          user_id: `user-${j % 13}`,
          feature: ['chat', 'search'][j % 2]!,
          model: 'sim-small',
          provider: 'sim',
          source: 'model',
          status: 'succeeded',
          tokens_in: 100,
          tokens_cached_in: 0,
          tokens_out: 20,
          tokens_estimated: false,
          cost_micros: cost,
          latency_ms: 50,
          occurred_at: new Date(now - (j % 48) * 3_600_000).toISOString(),
        };
        batch.push({ topic: `${prefix}${Topics.usage}`, key: tenant, partition: partitionFor(spec, tenant), value: JSON.stringify(event), headers: { 'x-tenant-id': tenant } });
      }
      await producer.sendBatch(batch);
    }
    await producer.disconnect();

    processes = new ServiceProcesses({
      basePort: FAULTS_BASE_PORT,
      stateDir: STATE,
      env: {
        ...definedOnly(inheritedEnvironment()),
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        KAFKA_BROKERS: infra.KAFKA_BROKERS.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        REDIS_URL: infra.REDIS_URL,
        DATABASE_URL: dbUrl,
        ADMIN_TOKEN: `crash-admin-${randomBytes(12).toString('hex')}`,
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
      },
    });
    const recorded = async () => Number((await pg.query<{ n: string }>('select count(*) as n from usage_events')).rows[0]!.n);

    await processes.start('cost-ledger');
    await waitFor(async () => ((await recorded()) >= 2_000 ? true : undefined), { what: 'ingestion under way', timeoutMs: 120_000 });
    await processes.kill('cost-ledger');
    const atKill = await recorded();
    console.log(`ledger killed with ${atKill} of ${EVENTS} events recorded`);
    // The kill must land mid-ingestion, or this test proves nothing.
    expect(atKill).toBeLessThan(EVENTS);

    await processes.start('cost-ledger');
    await waitFor(async () => ((await recorded()) >= EVENTS ? true : undefined), { what: 'every event recorded after the restart', timeoutMs: 300_000 });

    const totals = async (table: string) => {
      const { rows } = await pg.query<{ calls: string; micros: string }>(
        `select coalesce(sum(calls), 0)::text as calls, coalesce(sum(cost_micros), 0)::text as micros from ${table}`,
      );
      return [Number(rows[0]!.calls), BigInt(rows[0]!.micros)];
    };
    const events = await pg.query<{ n: string; keys: string; micros: string }>(
      'select count(*)::text as n, count(distinct (tenant_id, request_id, call_id))::text as keys, sum(cost_micros)::text as micros from usage_events',
    );
    expect([Number(events.rows[0]!.n), Number(events.rows[0]!.keys), BigInt(events.rows[0]!.micros)]).toEqual([EVENTS, EVENTS, expectedMicros]);
    for (const table of ['usage_hourly', 'usage_daily', 'usage_daily_tenants', 'usage_daily_users']) {
      expect([table, ...(await totals(table))]).toEqual([table, EVENTS, expectedMicros]);
    }
  }, 600_000);
});

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
