import { randomBytes, randomUUID } from 'node:crypto';
import { parseConfig } from '@llm/config';
import { Topics, type UsageV1 } from '@llm/contracts';
import { hashApiKey, migrate } from '@llm/db';
import { createKafkaClient, KafkaEventPublisher } from '@llm/kafka';
import { ADMISSION_PLANS_CHANNEL, API_KEY_REVOCATIONS_CHANNEL } from '@llm/redis';
import { runService, type RunningService } from '@llm/service-runtime';
import { createTopics, freshDatabase, quietLogger, testInfra, testServiceSettings, uniquePrefix, waitFor } from '@llm/testing';
import Redis from 'ioredis';
import { Client } from 'pg';
import { costLedgerConfigSchema } from './config/cost-ledger.config';
import { LedgerModule } from './ledger/ledger.module';

/**
 * The cost ledger as a service on real Kafka, Postgres and Redis: usage through llm.usage.v1, the admin API over
 * HTTP. Acceptance of issue 11: replays change no total, two instances during a rebalance never double count,
 * sums are exact against an independent computation, a tenant admin sees only its tenant, every change is audited.
 */
const ADMIN = `bootstrap-${randomBytes(12).toString('hex')}`;
const infra = testInfra();
const logger = quietLogger('ledger-int');
const suffix = randomBytes(3).toString('hex');
const tA = `acme-${suffix}`;
const tB = `globex-${suffix}`;
const tenantsForLoad = Array.from({ length: 6 }, (_, i) => `load${i}-${suffix}`);

describe('cost ledger service (Kafka + Postgres + Redis + HTTP)', () => {
  let dbUrl: string;
  /** The UTC day tenant A's request was charged on (its occurred_at), which a run near midnight must not guess. */
  let reqADay: string;
  let prefix: string;
  let pg: Client;
  let redis: Redis;
  let publisher: KafkaEventPublisher;
  const services: RunningService[] = [];
  const groupId = `ledger-int-${randomUUID()}`;
  const changes: string[] = [];

  const start = async () => {
    const config = parseConfig(costLedgerConfigSchema, {
      KAFKA_BROKERS: infra.KAFKA_BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      DATABASE_URL: dbUrl,
      REDIS_URL: infra.REDIS_URL,
      ADMIN_TOKEN: ADMIN,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    });
    const s = await runService({
      name: 'cost-ledger',
      module: (log) => LedgerModule.forRoot({ config, logger: log }),
      settings: testServiceSettings(),
      kafka: config,
      groupId,
      logger,
    });
    services.push(s);
    return s;
  };
  const api = async (method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${services[0]!.url}/v1/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') || text.startsWith('[') ? (JSON.parse(text) as unknown) : text };
  };
  /** A change through the API that must succeed and be audited under `action`. */
  const change = async (action: string, method: string, path: string, token: string, body?: unknown) => {
    const r = await api(method, path, token, body);
    expect([r.status, action]).toEqual([method === 'POST' ? 201 : 200, action]);
    changes.push(action);
    return r.body as Record<string, unknown>;
  };

  const usage = (tenant: string, i: number, overrides: Partial<UsageV1> = {}): UsageV1 => ({
    request_id: randomUUID(),
    call_id: i % 4 === 0 ? 'cache' : 'c1',
    attempt: 1,
    tenant_id: tenant,
    user_id: `user-${i % 5}`,
    feature: i % 2 ? 'chat' : 'search',
    model: ['small', 'large'][i % 2]!,
    provider: 'sim',
    source: i % 4 === 0 ? 'cache' : 'model',
    status: 'succeeded',
    tokens_in: 100 + i,
    tokens_cached_in: 0,
    tokens_out: 10 + (i % 17),
    tokens_estimated: false,
    cost_micros: i % 4 === 0 ? 0 : 1_000 + ((i * 7_919) % 50_000),
    saved_micros: i % 4 === 0 ? 777 : 0,
    latency_ms: 5,
    occurred_at: new Date(Date.now() - (i % 48) * 3_600_000).toISOString(),
    ...overrides,
  });
  const publishAll = async (events: UsageV1[]) => {
    for (let i = 0; i < events.length; i += 200) await Promise.all(events.slice(i, i + 200).map((e) => publisher.publish(Topics.usage, e)));
  };
  /** Events of one tenant share a partition: once a marker published after them is recorded, they all were. */
  const settled = async (tenants: string[]) => {
    const markers = tenants.map((t) => usage(t, 1, { call_id: 'marker', cost_micros: 0, tokens_in: 0, tokens_out: 0, saved_micros: 0 }));
    await publishAll(markers);
    await waitFor(
      async () => {
        const { rows } = await pg.query('select count(*)::int n from usage_keys where call_id = $1 and request_id = any($2::uuid[])', ['marker', markers.map((m) => m.request_id)]);
        return rows[0].n === markers.length ? true : undefined;
      },
      { timeoutMs: 60_000, what: 'markers to be recorded' },
    );
    return markers;
  };
  const totals = async (tenants: string[]) =>
    (
      await pg.query(
        `select 'events' src, tenant_id, count(*)::text calls, sum(cost_micros)::text cost, sum(tokens_in + tokens_out)::text tokens from usage_events where tenant_id = any($1) group by 2
         union all select 'hourly', tenant_id, sum(calls)::text, sum(cost_micros)::text, sum(tokens_in + tokens_out)::text from usage_hourly where tenant_id = any($1) group by 2
         union all select 'daily', tenant_id, sum(calls)::text, sum(cost_micros)::text, sum(tokens_in + tokens_out)::text from usage_daily where tenant_id = any($1) group by 2
         union all select 'tenants', tenant_id, sum(calls)::text, sum(cost_micros)::text, sum(tokens_in + tokens_out)::text from usage_daily_tenants where tenant_id = any($1) group by 2
         union all select 'users', tenant_id, sum(calls)::text, sum(cost_micros)::text, sum(tokens_in + tokens_out)::text from usage_daily_users where tenant_id = any($1) group by 2
         order by 1, 2`,
        [tenants],
      )
    ).rows as { src: string; tenant_id: string; calls: string; cost: string; tokens: string }[];
  /** The independent computation: BigInt sums over what was published, distinct by (tenant, request, call). */
  const expected = (events: UsageV1[]) => {
    const byTenant = new Map<string, { calls: number; cost: bigint; tokens: bigint }>();
    const seen = new Set<string>();
    for (const e of events) {
      const k = `${e.tenant_id}|${e.request_id}|${e.call_id}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const t = byTenant.get(e.tenant_id) ?? { calls: 0, cost: 0n, tokens: 0n };
      byTenant.set(e.tenant_id, { calls: t.calls + 1, cost: t.cost + BigInt(e.cost_micros), tokens: t.tokens + BigInt(e.tokens_in + e.tokens_out) });
    }
    return byTenant;
  };
  const expectExact = async (tenants: string[], events: UsageV1[]) => {
    const want = expected(events);
    const got = await totals(tenants);
    expect(got).toHaveLength(5 * want.size);
    for (const r of got) {
      const w = want.get(r.tenant_id)!;
      expect({ src: r.src, calls: r.calls, cost: r.cost, tokens: r.tokens }).toEqual({ src: r.src, calls: String(w.calls), cost: w.cost.toString(), tokens: w.tokens.toString() });
    }
  };

  beforeAll(async () => {
    dbUrl = await freshDatabase('ledgersvc');
    await migrate(dbUrl);
    prefix = uniquePrefix('ledger');
    await createTopics(prefix);
    pg = new Client({ connectionString: dbUrl });
    await pg.connect();
    redis = new Redis(infra.REDIS_URL);
    publisher = new KafkaEventPublisher(createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'ledger-int', logger }), logger, prefix);
    await publisher.connect();
    await start();
    for (const t of [tA, tB, ...tenantsForLoad]) await change('tenant.create', 'POST', '/tenants', ADMIN, { id: t, name: t, tier: 'paid' });
  }, 60_000);

  afterAll(async () => {
    await publisher?.disconnect();
    for (const s of services) await s.close().catch(() => undefined);
    await redis?.quit();
    await pg?.end();
  });

  it('leaves every total unchanged when the same events are replayed three times, exact to the micro-dollar', async () => {
    const events = Array.from({ length: 300 }, (_, i) => usage(tenantsForLoad[i % 3]!, i));
    await publishAll(events);
    const m1 = await settled(tenantsForLoad.slice(0, 3));
    await expectExact(tenantsForLoad.slice(0, 3), [...events, ...m1]);
    const before = await totals(tenantsForLoad.slice(0, 3));
    const budgetKey = `t:${tenantsForLoad[0]}:budget:tenant::d${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
    // Settlement runs just after a batch commits (listeners lag one batch): wait until the live state has caught up
    // with today's rows in Postgres before taking it as the reference.
    const today = new Date(new Date().toISOString().slice(0, 10));
    const ledgerToday = async () =>
      (
        await pg.query<{ s: string }>('select coalesce(sum(cost_micros), 0)::text s from usage_events where tenant_id = $1 and occurred_at >= $2 and occurred_at < $3', [
          tenantsForLoad[0],
          today,
          new Date(today.getTime() + 86_400_000),
        ])
      ).rows[0]!.s;
    await waitFor(async () => ((await redis.hget(budgetKey, 'spent_micros')) === (await ledgerToday()) ? true : undefined), { what: 'budget settlement to catch up' });
    const spentBefore = await redis.hget(budgetKey, 'spent_micros');
    for (let round = 0; round < 3; round++) await publishAll(events.map((e) => ({ ...e, attempt: round + 2 })));
    const m2 = await settled(tenantsForLoad.slice(0, 3));
    // Only the new markers (zero cost, zero tokens) were added.
    await expectExact(tenantsForLoad.slice(0, 3), [...events, ...m1, ...m2]);
    const after = await totals(tenantsForLoad.slice(0, 3));
    expect(after.map(({ src, tenant_id, cost, tokens }) => [src, tenant_id, cost, tokens])).toEqual(
      before.map(({ src, tenant_id, cost, tokens }) => [src, tenant_id, cost, tokens]),
    );
    // Budgets were settled once: the live state did not move either.
    expect(await redis.hget(budgetKey, 'spent_micros')).toBe(spentBefore);
  }, 120_000);

  it('never double counts while a second instance joins the group and the first leaves (rebalances)', async () => {
    const loadTenants = tenantsForLoad.slice(3);
    const events = Array.from({ length: 1_500 }, (_, i) => usage(loadTenants[i % 3]!, i));
    const publishing = publishAll(events);
    await start(); // joins the group: partitions move while events flow
    await publishing;
    // Everything again while the first instance leaves: the survivor takes its partitions and redelivers what it had not committed.
    const replay = publishAll(events.map((e) => ({ ...e, attempt: 2 })));
    await services.shift()!.close();
    await replay;
    services.unshift(services.pop()!); // the admin API now answers from the survivor
    const markers = await settled(loadTenants);
    await expectExact(loadTenants, [...events, ...markers]);
  }, 180_000);

  it('shows a tenant admin only its own tenant, refuses read-only writes, and audits every change', async () => {
    const adminA = (await change('admin_token.create', 'POST', '/admin-tokens', ADMIN, { name: 'a-admin', role: 'tenant_admin', tenant_id: tA })).token as string;
    const readerA = (await change('admin_token.create', 'POST', '/admin-tokens', ADMIN, { name: 'a-reader', role: 'read_only', tenant_id: tA })).token as string;
    const keyB = await change('api_key.create', 'POST', `/tenants/${tB}/keys`, ADMIN, { name: 'b-key' });
    const keyA = await change('api_key.create', 'POST', `/tenants/${tA}/keys`, adminA, { name: 'a-key' });
    expect(String(keyA.secret)).toMatch(/^sk-/);
    await change('budget.put', 'PUT', `/tenants/${tA}/budgets`, adminA, { scope: 'tenant', period: 'day', limit_micros: 1_000_000 });
    await change('alert_settings.put', 'PUT', `/tenants/${tB}/alert-settings`, ADMIN, { expensive_request_micros: 10 });
    await change('plan.create', 'POST', '/plans', ADMIN, { id: `gold-${suffix}`, name: 'Gold', daily_budget_micros: 5_000_000 });
    await change('tenant.update', 'PATCH', `/tenants/${tB}`, ADMIN, { plan_id: `gold-${suffix}` });
    const reqB = usage(tB, 1, { cost_micros: 600_000 });
    const reqA = usage(tA, 2, { cost_micros: 700_000 });
    reqADay = reqA.occurred_at.slice(0, 10);
    await publishAll([reqA, reqB]);
    await settled([tA, tB]);
    await waitFor(async () => ((await pg.query('select count(*)::int n from alerts where tenant_id = any($1)', [[tA, tB]])).rows[0].n >= 2 ? true : undefined), { what: 'alerts' });

    // Another tenant's data answers 404, listed or named.
    for (const path of [
      `/usage?tenant_id=${tB}`,
      `/tenants/${tB}/keys`,
      `/alerts?tenant_id=${tB}`,
      `/tenants/${tB}/requests/${reqB.request_id}`,
      `/tenants/${tB}/events`,
      `/tenants/${tB}`,
      `/savings?tenant_id=${tB}`,
    ]) {
      expect([path, (await api('GET', path, adminA)).status]).toEqual([path, 404]);
      expect([path, (await api('GET', path, readerA)).status]).toEqual([path, 404]);
    }
    expect((await api('POST', `/tenants/${tB}/keys`, adminA, { name: 'x' })).status).toBe(404);
    expect((await api('DELETE', `/tenants/${tB}/keys/${String(keyB.id)}`, adminA)).status).toBe(404);
    const usageA = (await api('GET', '/usage?group_by=tenant', adminA)).body as { rows: { tenant_id: string }[] };
    expect(usageA.rows.map((r) => r.tenant_id)).toEqual([tA]);
    const alertsA = (await api('GET', '/alerts', adminA)).body as { rows: { tenant_id: string; id: string }[] };
    expect(alertsA.rows.length).toBeGreaterThan(0);
    expect(new Set(alertsA.rows.map((r) => r.tenant_id))).toEqual(new Set([tA]));
    expect(((await api('GET', '/top-spenders', adminA)).body as { rows: { tenant_id: string }[] }).rows.map((r) => r.tenant_id)).toEqual([tA]);
    expect(((await api('GET', '/tenants', adminA)).body as unknown as { id: string }[]).map((t) => t.id)).toEqual([tA]);
    expect((await api('GET', `/tenants/${tA}/requests/${reqA.request_id}`, readerA)).body).toMatchObject({ cost_micros: 700_000, calls: [{ call_id: 'c1' }] });
    // Read-only stays read-only; a tenant admin cannot create tenants.
    expect((await api('POST', `/tenants/${tA}/keys`, readerA, { name: 'x' })).status).toBe(403);
    expect((await api('POST', '/tenants', adminA, { id: `evil-${suffix}`, name: 'x' })).status).toBe(403);
    await change('alert.ack', 'POST', `/alerts/${alertsA.rows[0]!.id}/ack`, adminA);

    // Revocation is announced to every ingress on Redis (the ingress side is proven in apps/ingress).
    const sub = redis.duplicate();
    const heard: string[] = [];
    sub.on('message', (_c: string, m: string) => heard.push(m));
    await sub.subscribe(API_KEY_REVOCATIONS_CHANNEL);
    await change('api_key.revoke', 'DELETE', `/tenants/${tA}/keys/${String(keyA.id)}`, adminA);
    await waitFor(() => (heard.includes(hashApiKey(String(keyA.secret))) ? true : undefined), { what: 'the revocation announcement' });
    await sub.quit();

    const audit = (await pg.query('select action, actor, tenant_id from audit_log order by id')).rows as { action: string; actor: string }[];
    expect(audit.map((a) => a.action)).toEqual(changes);
    expect(audit.filter((a) => a.actor !== 'bootstrap').map((a) => a.action)).toEqual(['api_key.create', 'budget.put', 'alert.ack', 'api_key.revoke']);
    // The audit log itself is tenant-scoped too.
    const auditA = (await api('GET', '/audit', adminA)).body as { rows: { tenant_id: string }[] };
    expect(new Set(auditA.rows.map((r) => r.tenant_id))).toEqual(new Set([tA]));
  }, 120_000);

  it('keeps admission plans for ingress: validated, audited, and announced on every change', async () => {
    const sub = redis.duplicate();
    let heard = 0;
    sub.on('message', () => heard++);
    await sub.subscribe(ADMISSION_PLANS_CHANNEL);
    const planId = `strict-${suffix}`;
    // ingress's own plan schema (libs/contracts), so a plan ingress would refuse never reaches Postgres.
    const invalid = await api('POST', '/plans', ADMIN, {
      id: planId,
      name: 'strict',
      admission: { band: 'realtime-paid', model_tiers: [], limits: { key: { requests_per_minute: -1 } } },
    });
    expect(invalid.status).toBe(400);
    const admission = { band: 'realtime-paid', limits: { key: { requests_per_minute: 60 } }, model_tiers: ['small'] };
    expect(await change('plan.create', 'POST', '/plans', ADMIN, { id: planId, name: 'strict', tier: 'paid', admission })).toMatchObject({
      id: planId,
      admission: { model_tiers: ['small'] },
    });
    await waitFor(() => (heard >= 1 ? true : undefined), { what: 'the plan announcement' });
    await change('tenant.update', 'PATCH', `/tenants/${tB}`, ADMIN, { plan_id: planId });
    await waitFor(() => (heard >= 2 ? true : undefined), { what: 'the assignment announcement' });
    expect(await change('plan.update', 'PUT', `/plans/${planId}`, ADMIN, { admission: null })).toMatchObject({ id: planId, admission: null });
    await waitFor(() => (heard >= 3 ? true : undefined), { what: 'the update announcement' });
    expect((await api('PUT', `/plans/nope-${suffix}`, ADMIN, { name: 'x' })).status).toBe(404);
    const { rows } = await pg.query<{ action: string }>("select action from audit_log where target_id = $1 and action like 'plan.%' order by id", [planId]);
    expect(rows.map((r) => r.action)).toEqual(['plan.create', 'plan.update']);
    await sub.quit();
  });

  it('answers usage group_by, CSV, estimate and serves its OpenAPI document', async () => {
    // The day of the charge, not of the test: a run soon after midnight UTC charged it the day before.
    const day = reqADay;
    const nextDay = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
    const q = `/usage?from=${day}&to=${nextDay}&group_by=tenant,model,day&tenant_id=${tA}`;
    const byModel = (await api('GET', q, ADMIN)).body as { rows: { model: string; day: string; cost_micros: number }[]; source: string };
    expect(byModel.source).toBe('usage_daily');
    expect(byModel.rows.find((r) => r.model === 'small')).toMatchObject({ day, cost_micros: 700_000 });
    const csv = (await api('GET', q.replace('/usage?', '/usage.csv?'), ADMIN)).body as string;
    expect(csv.split('\n')[0]).toBe('tenant_id,model,day,calls,tokens_in,tokens_out,cost_micros,saved_micros,cache_hits');
    const est = await api('POST', '/cost-estimate', ADMIN, { requests_per_day: 100, tokens_in: 500, tokens_out: 200, routing_mix: { 'sim-small': 1 } });
    expect([est.status, typeof (est.body as { cost_micros: unknown }).cost_micros]).toEqual([201, 'number']);
    const doc = (await fetch(`${services[0]!.url}/v1/admin/openapi.json`).then((r) => r.json())) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/admin/usage', '/v1/admin/tenants/{tenant}/keys', '/v1/admin/audit']));
    expect((await api('GET', '/usage', 'not-a-valid-admin-token')).status).toBe(401);
  });
  it('pages usage groups with a cursor: the pages add up to the whole answer, and a cursor fits only its own grouping', async () => {
    const from = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    type Page = { rows: Record<string, unknown>[]; next_cursor: string | null; truncated: boolean };
    for (const groupBy of ['tenant,model,day', 'model,tenant,hour']) {
      const q = `/usage?from=${from}&to=${to}&group_by=${groupBy}`;
      const whole = (await api('GET', `${q}&limit=10000`, ADMIN)).body as Page;
      expect(whole.next_cursor).toBeNull();
      expect(whole.rows.length).toBeGreaterThan(12);
      const paged: Record<string, unknown>[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = (await api('GET', `${q}&limit=5${cursor ? `&cursor=${cursor}` : ''}`, ADMIN)).body as Page;
        expect(page.rows.length).toBeLessThanOrEqual(5);
        expect(page.truncated).toBe(page.next_cursor !== null);
        paged.push(...page.rows);
        cursor = page.next_cursor;
        pages++;
      } while (cursor && pages < 1_000);
      expect(paged).toEqual(whole.rows);
      const csv = (await api('GET', q.replace('/usage?', '/usage.csv?'), ADMIN)).body as string;
      expect(csv.trim().split('\n')).toHaveLength(whole.rows.length + 1);
    }
    const first = (await api('GET', `/usage?from=${from}&to=${to}&group_by=tenant,day&limit=1`, ADMIN)).body as Page;
    expect(first.next_cursor).not.toBeNull();
    const foreign = await api('GET', `/usage?from=${from}&to=${to}&group_by=tenant,model&cursor=${first.next_cursor}`, ADMIN);
    expect([foreign.status, (foreign.body as { error: { platform_code: string } }).error.platform_code]).toEqual([400, 'INVALID_REQUEST']);
    const forged = Buffer.from(JSON.stringify({ group_by: 'tenant,day', key: '["a"] OR 1=1' })).toString('base64url');
    expect((await api('GET', `/usage?from=${from}&to=${to}&group_by=tenant,day&cursor=${forged}`, ADMIN)).status).toBe(400);
    expect((await api('GET', `/usage?from=${from}&to=${to}&limit=0`, ADMIN)).status).toBe(400);
  });

  it('stores the fallback step of each call and groups and filters usage by it', async () => {
    const tenant = `fb-${randomBytes(3).toString('hex')}`;
    await change('tenant.create', 'POST', '/tenants', ADMIN, { id: tenant, name: tenant, tier: 'paid' });
    const at = new Date().toISOString();
    const steps = ['primary', 'primary', 'other-deployment', 'cheaper-model', 'cached-answer', undefined] as const;
    const events = steps.map((step, i) => usage(tenant, i + 1, { occurred_at: at, cost_micros: 1_000 * (i + 1), ...(step ? { fallback_step: step } : {}) }));
    await publishAll(events);
    await settled([tenant]);
    const day = at.slice(0, 10);
    const nextDay = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
    const byStep = (await api('GET', `/usage?from=${day}&to=${nextDay}&group_by=fallback_step&tenant_id=${tenant}`, ADMIN)).body as {
      rows: { fallback_step: string; calls: number; cost_micros: number }[];
      source: string;
    };
    expect(byStep.source).toBe('usage_daily');
    // '' holds the event that did not say, with the marker `settled` published (an hour earlier: maybe another day).
    expect(byStep.rows.filter((r) => r.fallback_step !== '').map((r) => [r.fallback_step, r.calls, r.cost_micros])).toEqual([
      ['cached-answer', 1, 5_000],
      ['cheaper-model', 1, 4_000],
      ['other-deployment', 1, 3_000],
      ['primary', 2, 3_000],
    ]);
    const hourly = (await api('GET', `/usage?from=${day}&to=${nextDay}&group_by=hour&fallback_step=primary&tenant_id=${tenant}`, ADMIN)).body as {
      rows: { calls: number }[];
      source: string;
    };
    expect([hourly.source, hourly.rows.reduce((a, r) => a + r.calls, 0)]).toEqual(['usage_hourly', 2]);
    expect((await api('GET', `/usage?from=${day}&to=${nextDay}&fallback_step=sideways`, ADMIN)).status).toBe(400);
    expect((await api('GET', `/usage?from=${day}&to=${nextDay}&group_by=tenant,user,day&fallback_step=primary&tenant_id=${tenant}`, ADMIN)).status).toBe(400);
    const request = (await api('GET', `/tenants/${tenant}/requests/${events[3]!.request_id}`, ADMIN)).body as { calls: { fallback_step: string; fallback: boolean }[] };
    expect(request.calls).toEqual([expect.objectContaining({ fallback_step: 'cheaper-model', fallback: true })]);
    const unsaid = (await api('GET', `/tenants/${tenant}/requests/${events[5]!.request_id}`, ADMIN)).body as { calls: { fallback_step: string | null; fallback: boolean }[] };
    expect(unsaid.calls).toEqual([expect.objectContaining({ fallback_step: null, fallback: false })]);
  });
});
