import { randomBytes, randomUUID } from 'node:crypto';
import { loadConfig, parseConfig, positiveInt } from '@llm/config';
import { z } from 'zod';
import { apiKeyOverridesSchema } from '@llm/contracts';
import { migrate } from '@llm/db';
import { ADMISSION_PLANS_CHANNEL } from '@llm/redis';
import { runService, type RunningService } from '@llm/service-runtime';
import { hashUserId } from '@llm/telemetry';
import { createTopics, freshDatabase, pythonToolsVenv, quietLogger, runSchemathesis, testInfra, testServiceSettings, uniquePrefix, waitFor } from '@llm/testing';
import Redis from 'ioredis';
import { Client } from 'pg';
import { costLedgerConfigSchema } from '../config/cost-ledger.config';
import { LedgerModule } from '../ledger/ledger.module';
import { ADMIN_OPENAPI } from './openapi';

/**
 * The admin API's users, features and API key admission overrides over HTTP, on a real Postgres and Redis: the
 * same scopes as every other admin resource (a tenant admin only in its tenant, read-only only reads), every
 * change audited, lists cursor-paginated, budgets kept pointing at rows that exist.
 */
const ADMIN = `bootstrap-${randomBytes(12).toString('hex')}`;
const infra = testInfra();
const logger = quietLogger('admin-members-int');
const suffix = randomBytes(3).toString('hex');
const tA = `initech-${suffix}`;
const tB = `hooli-${suffix}`;

/** Examples per operation and phase of the admin fuzz (FUZZ_MAX_EXAMPLES=100 is a deep run). */
const env = loadConfig(z.object({ FUZZ_MAX_EXAMPLES: positiveInt(10), PATH: z.string(), HOME: z.string() }));

type Reply = { error?: { platform_code?: string } } & Record<string, unknown>;
type Page<R> = { rows: R[]; next_cursor: string | null };

describe('admin API: users, features and API key limits (HTTP + Postgres + Redis)', () => {
  let service: RunningService;
  let pg: Client;
  let redis: Redis;
  let adminA: string;
  let readerA: string;
  let adminB: string;

  const api = async (method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Reply }> => {
    const res = await fetch(`${service.url}/v1/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Reply };
  };
  const ok = async <T = Reply>(method: string, path: string, token: string, body?: unknown): Promise<T> => {
    const r = await api(method, path, token, body);
    expect([method, path, r.status]).toEqual([method, path, method === 'POST' ? 201 : 200]);
    return r.body as T;
  };
  const auditOf = async (tenant: string) =>
    (
      await pg.query<{ action: string; target_id: string; details: Record<string, unknown> }>('select action, target_id, details from audit_log where tenant_id = $1 order by id', [
        tenant,
      ])
    ).rows;

  beforeAll(async () => {
    const dbUrl = await freshDatabase('adminmembers');
    await migrate(dbUrl);
    const prefix = uniquePrefix('admin-members');
    await createTopics(prefix);
    pg = new Client({ connectionString: dbUrl });
    await pg.connect();
    redis = new Redis(infra.REDIS_URL);
    const config = parseConfig(costLedgerConfigSchema, {
      KAFKA_BROKERS: infra.KAFKA_BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      DATABASE_URL: dbUrl,
      REDIS_URL: infra.REDIS_URL,
      ADMIN_TOKEN: ADMIN,
    });
    service = await runService({
      name: 'cost-ledger',
      module: (log) => LedgerModule.forRoot({ config, logger: log }),
      settings: testServiceSettings(),
      kafka: config,
      groupId: `admin-members-int-${randomUUID()}`,
      logger,
    });
    for (const t of [tA, tB]) await ok('POST', '/tenants', ADMIN, { id: t, name: t, tier: 'paid' });
    adminA = (await ok<{ token: string }>('POST', '/admin-tokens', ADMIN, { name: 'a', role: 'tenant_admin', tenant_id: tA })).token;
    readerA = (await ok<{ token: string }>('POST', '/admin-tokens', ADMIN, { name: 'a-ro', role: 'read_only', tenant_id: tA })).token;
    adminB = (await ok<{ token: string }>('POST', '/admin-tokens', ADMIN, { name: 'b', role: 'tenant_admin', tenant_id: tB })).token;
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await redis?.quit();
    await pg?.end();
  });

  it('manages users: create (id stored hashed), page through, rename, delete with their budgets; audited', async () => {
    const created: { id: string }[] = [];
    for (let i = 0; i < 5; i++) created.push(await ok<{ id: string }>('POST', `/tenants/${tA}/users`, adminA, { user_id: `alice-${i}@example.com`, display_name: `Alice ${i}` }));
    expect(created[0]).toMatchObject({ tenant_id: tA, user_hash: hashUserId('alice-0@example.com'), display_name: 'Alice 0' });
    expect(JSON.stringify(created)).not.toContain('@example.com');
    expect((await api('POST', `/tenants/${tA}/users`, adminA, { user_id: 'alice-0@example.com' })).body).toMatchObject({ error: { platform_code: 'CONFLICT' } });
    expect((await api('POST', `/tenants/${tA}/users`, adminA, { user_id: '' })).body).toMatchObject({ error: { platform_code: 'INVALID_REQUEST' } });

    // Cursor pagination: pages of 2 walk every user once, in creation order.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<{ id: string }> = await ok<Page<{ id: string }>>('GET', `/tenants/${tA}/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`, readerA);
      expect(page.rows.length).toBeLessThanOrEqual(2);
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(created.map((u) => u.id));
    expect((await api('GET', `/tenants/${tA}/users?cursor=bogus`, adminA)).body).toMatchObject({ error: { platform_code: 'INVALID_REQUEST' } });

    const id = created[1]!.id;
    expect(await ok('PATCH', `/tenants/${tA}/users/${id}`, adminA, { display_name: 'Alicia' })).toMatchObject({ id, display_name: 'Alicia' });
    expect(await ok('GET', `/tenants/${tA}/users/${id}`, readerA)).toMatchObject({ id, display_name: 'Alicia' });

    // Its budget names it (user_ref); deleting the user deletes the budget in the same change.
    await ok('PUT', `/tenants/${tA}/budgets`, adminA, { scope: 'user', user_id: 'alice-1@example.com', period: 'day', limit_tokens: 100_000 });
    const budgets = await ok<{ scope: string; user_ref: string | null }[]>('GET', `/tenants/${tA}/budgets`, readerA);
    expect(budgets.filter((b) => b.scope === 'user')).toEqual([expect.objectContaining({ user_ref: id })]);
    expect(await ok('DELETE', `/tenants/${tA}/users/${id}`, adminA)).toEqual({ id, deleted: true, budgets_deleted: 1 });
    expect((await api('GET', `/tenants/${tA}/users/${id}`, adminA)).status).toBe(404);
    expect((await ok<{ scope: string }[]>('GET', `/tenants/${tA}/budgets`, adminA)).filter((b) => b.scope === 'user')).toEqual([]);

    // A user budget for a user nobody registered registers it.
    await ok('PUT', `/tenants/${tA}/budgets`, adminA, { scope: 'user', user_id: 'bob@example.com', period: 'month', limit_micros: 5_000_000 });
    const bob = (await pg.query('select display_name from users where tenant_id = $1 and user_hash = $2', [tA, hashUserId('bob@example.com')])).rows;
    expect(bob).toEqual([{ display_name: '' }]);

    const actions = (await auditOf(tA)).filter((a) => a.action.startsWith('user.'));
    expect(actions.map((a) => a.action)).toEqual([...created.map(() => 'user.create'), 'user.update', 'user.delete']);
    expect(actions.at(-1)).toMatchObject({ target_id: id, details: { budgets_deleted: 1 } });
    expect(JSON.stringify(await auditOf(tA))).not.toContain('@example.com');
  });

  it('manages features the same way, named as callers send them', async () => {
    for (const name of ['search', 'chat', 'summarize']) await ok('POST', `/tenants/${tA}/features`, adminA, { name, description: `the ${name} feature` });
    expect((await api('POST', `/tenants/${tA}/features`, adminA, { name: 'chat' })).body).toMatchObject({ error: { platform_code: 'CONFLICT' } });
    // Postgres cannot store NUL; a feature name travels in a header: refused as input, never an internal error.
    for (const bad of [{ name: 'a\u0000b' }, { name: 'tab\there' }, { name: 'ok', description: 'nul\u0000' }])
      expect((await api('POST', `/tenants/${tA}/features`, adminA, bad)).body).toMatchObject({ error: { platform_code: 'INVALID_REQUEST' } });
    const first = await ok<Page<{ name: string }>>('GET', `/tenants/${tA}/features?limit=2`, readerA);
    expect(first.rows.map((f) => f.name)).toEqual(['chat', 'search']);
    const second = await ok<Page<{ name: string }>>('GET', `/tenants/${tA}/features?limit=2&cursor=${first.next_cursor}`, readerA);
    expect([second.rows.map((f) => f.name), second.next_cursor]).toEqual([['summarize'], null]);
    expect(await ok('PATCH', `/tenants/${tA}/features/chat`, adminA, { description: 'support chat' })).toMatchObject({ name: 'chat', description: 'support chat' });
    expect(await ok('GET', `/tenants/${tA}/features/chat`, readerA)).toMatchObject({ description: 'support chat' });
    await ok('PUT', `/tenants/${tA}/budgets`, adminA, { scope: 'feature', feature: 'chat', period: 'day', limit_micros: 1_000_000 });
    // A feature budget for a new feature registers it.
    await ok('PUT', `/tenants/${tA}/budgets`, adminA, { scope: 'feature', feature: 'translate', period: 'day', limit_micros: 1_000 });
    expect(await ok('GET', `/tenants/${tA}/features/translate`, readerA)).toMatchObject({ name: 'translate', description: '' });
    expect(await ok('DELETE', `/tenants/${tA}/features/chat`, adminA)).toEqual({ name: 'chat', deleted: true, budgets_deleted: 1 });
    expect((await api('GET', `/tenants/${tA}/features/chat`, adminA)).body).toMatchObject({ error: { platform_code: 'NOT_FOUND' } });
    expect((await auditOf(tA)).filter((a) => a.action.startsWith('feature.')).map((a) => a.action)).toEqual([
      'feature.create',
      'feature.create',
      'feature.create',
      'feature.update',
      'feature.delete',
    ]);
  });

  it('refuses another tenant’s admin (404, nothing learnt) and read-only writes (403), and writes nothing then', async () => {
    const user = await ok<{ id: string }>('POST', `/tenants/${tA}/users`, adminA, { user_id: 'carol' });
    const auditBefore = (await auditOf(tA)).length;
    for (const [method, path, body] of [
      ['GET', `/tenants/${tA}/users`, undefined],
      ['GET', `/tenants/${tA}/users/${user.id}`, undefined],
      ['POST', `/tenants/${tA}/users`, { user_id: 'mallory' }],
      ['PATCH', `/tenants/${tA}/users/${user.id}`, { display_name: 'x' }],
      ['DELETE', `/tenants/${tA}/users/${user.id}`, undefined],
      ['GET', `/tenants/${tA}/features`, undefined],
      ['GET', `/tenants/${tA}/features/search`, undefined],
      ['POST', `/tenants/${tA}/features`, { name: 'x' }],
      ['PATCH', `/tenants/${tA}/features/search`, { description: 'x' }],
      ['DELETE', `/tenants/${tA}/features/search`, undefined],
    ] as const) {
      const r = await api(method, path, adminB, body);
      expect([method, path, r.status, r.body.error?.platform_code]).toEqual([method, path, 404, 'NOT_FOUND']);
      if (method !== 'GET') {
        const ro = await api(method, path, readerA, body);
        expect([method, path, ro.status, ro.body.error?.platform_code]).toEqual([method, path, 403, 'FORBIDDEN']);
      }
    }
    // A user id of tenant A named under tenant B's path is not found either.
    expect((await api('GET', `/tenants/${tB}/users/${user.id}`, adminB)).status).toBe(404);
    expect((await api('GET', `/tenants/${tA}/users/not-a-uuid`, adminA)).status).toBe(404);
    expect((await api('POST', `/tenants/nope-${suffix}/users`, ADMIN, { user_id: 'x' })).body).toMatchObject({ error: { platform_code: 'NOT_FOUND' } });
    expect((await auditOf(tA)).length).toBe(auditBefore);
  });

  it('keeps API key admission overrides: validated by ingress’s schema, scoped, audited, announced to ingress', async () => {
    const key = await ok<{ id: string }>('POST', `/tenants/${tA}/keys`, adminA, { name: 'batch-job' });
    const sub = redis.duplicate();
    let heard = 0;
    sub.on('message', () => heard++);
    await sub.subscribe(ADMISSION_PLANS_CHANNEL);
    const path = `/tenants/${tA}/keys/${key.id}/limits`;
    expect(await ok('GET', path, readerA)).toEqual({ key_id: key.id, tenant_id: tA, overrides: null });
    const overrides = { limits: { requests_per_minute: 3 }, concurrency: { in_flight_key: 1 }, model_tiers: ['small'] };
    expect(apiKeyOverridesSchema.parse(overrides)).toEqual(overrides);
    expect(await ok('PUT', path, adminA, overrides)).toEqual({ key_id: key.id, tenant_id: tA, overrides });
    await waitFor(() => (heard >= 1 ? true : undefined), { what: 'the override announcement' });
    const row = (await pg.query('select admission_overrides from api_keys where id = $1', [key.id])).rows[0];
    expect(row.admission_overrides).toEqual(overrides);

    // Only the key's own caps: a key cannot raise its tenant's.
    for (const bad of [{ concurrency: { tenant: 1000 } }, { limits: { requests_per_minute: 0 } }, { model_tiers: [] }, { surprise: 1 }]) {
      expect([bad, (await api('PUT', path, adminA, bad)).body.error?.platform_code]).toEqual([bad, 'INVALID_REQUEST']);
    }
    expect((await api('PUT', path, adminB, overrides)).status).toBe(404);
    expect((await api('GET', path, adminB)).status).toBe(404);
    expect((await api('DELETE', path, adminB)).status).toBe(404);
    expect((await api('PUT', path, readerA, overrides)).status).toBe(403);
    expect((await api('PUT', `/tenants/${tA}/keys/${randomUUID()}/limits`, adminA, overrides)).status).toBe(404);

    expect(await ok('DELETE', path, adminA)).toEqual({ key_id: key.id, tenant_id: tA, overrides: null });
    await waitFor(() => (heard >= 2 ? true : undefined), { what: 'the removal announcement' });
    expect((await pg.query('select admission_overrides is null as gone from api_keys where id = $1', [key.id])).rows[0].gone).toBe(true);
    await ok('DELETE', `/tenants/${tA}/keys/${key.id}`, adminA);
    expect((await api('PUT', path, adminA, overrides)).body).toMatchObject({ error: { platform_code: 'CONFLICT' } });
    await sub.quit();

    const audited = (await auditOf(tA)).filter((a) => a.target_id === key.id).map((a) => a.action);
    expect(audited).toEqual(['api_key.create', 'api_key.limits.put', 'api_key.limits.delete', 'api_key.revoke']);
  });

  it('survives schemathesis over the whole admin OpenAPI document as a platform admin: no 5xx, only documented statuses and shapes', async () => {
    const changesBefore = (await auditOf(tA)).length;
    const fuzz = await runSchemathesis({
      venv: pythonToolsVenv(),
      schemaUrl: `${service.url}/v1/admin/openapi.json`,
      baseUrl: service.url,
      authorization: `Bearer ${ADMIN}`,
      maxExamples: env.FUZZ_MAX_EXAMPLES,
      // Every {tenant} is one that exists, so generated bodies reach the use cases rather than stopping at NOT_FOUND.
      toml: `[parameters]\n"path.tenant" = "${tA}"\n`,
      env: { PATH: env.PATH, HOME: env.HOME },
    });
    if (fuzz.status !== 0) console.log(fuzz.stdout.slice(-8000), fuzz.stderr.slice(-2000));
    expect(fuzz.status).toBe(0);
    expect(fuzz.cases).toBeDefined();
    console.log(`schemathesis (admin): ${fuzz.cases!.generated} cases generated, ${fuzz.cases!.passed} passed`);
    // Generated requests got past validation into real changes of the tenant (so the run exercised the use cases).
    expect((await auditOf(tA)).length).toBeGreaterThan(changesBefore);
  }, 1_260_000);

  it('describes the new routes in its OpenAPI document', async () => {
    const doc = (await fetch(`${service.url}/v1/admin/openapi.json`).then((r) => r.json())) as typeof ADMIN_OPENAPI;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/admin/tenants/{tenant}/keys/{id}/limits',
        '/v1/admin/tenants/{tenant}/users',
        '/v1/admin/tenants/{tenant}/users/{id}',
        '/v1/admin/tenants/{tenant}/features',
        '/v1/admin/tenants/{tenant}/features/{name}',
      ]),
    );
  });
});
