import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exactCacheKey } from '@llm/cache-key';
import { parseConfig } from '@llm/config';
import { Headers, Topics, type ChatRequestBody, type LlmRequestV1, type LlmResultV1, type UsageV1 } from '@llm/contracts';
import { createPrismaClient, migrate, seedTenant } from '@llm/db';
import { createKafkaClient } from '@llm/kafka';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';
import { runService, type RunningService } from '@llm/service-runtime';
import { chatCompletion, createTopics, quietLogger, testInfra, testServiceSettings, uniquePrefix, waitFor } from '@llm/testing';
import { ingressConfigSchema } from '../../config/ingress.config';
import { RequestsModule } from '../requests.module';

const infra = testInfra();
const logger = quietLogger('fast-path-int');
const suffix = randomBytes(4).toString('hex');
const acme = { tenantId: `fp-acme-${suffix}`, tier: 'paid' as const, apiKey: `sk-fp-acme-${suffix}` };
const globex = { tenantId: `fp-globex-${suffix}`, tier: 'paid' as const, apiKey: `sk-fp-globex-${suffix}` };
/** Its plan caps work in flight at one request: a hit whose slot were never freed would lock it out. */
const capped = { tenantId: `fp-capped-${suffix}`, tier: 'paid' as const, apiKey: `sk-fp-capped-${suffix}` };
type Tenant = typeof acme;
const PLANS = {
  plans: {
    free: { band: 'realtime-free', model_tiers: ['small'] },
    paid: { band: 'realtime-paid', model_tiers: ['small', 'medium', 'large'] },
    capped: { band: 'realtime-paid', model_tiers: ['small'], concurrency: { in_flight_tenant: 1 } },
  },
  tier_plans: { free: 'free', paid: 'paid' },
  tenants: { [capped.tenantId]: 'capped' },
};

const question = (content: string, extra: Partial<ChatRequestBody> = {}): ChatRequestBody => ({
  model: 'sim-small',
  temperature: 0,
  messages: [{ role: 'user', content }],
  ...extra,
});

/**
 * Ingress with no cache service anywhere: whatever answers a request here is ingress's fast path, and anything
 * it does not answer shows up on llm.requests.v1 and stays unanswered.
 */
describe('exact-cache fast path at ingress (HTTP + Kafka + Redis + Postgres, no cache service)', () => {
  let fast: RunningService;
  let switchedOff: RunningService;
  let redis: Redis;
  const prefix = uniquePrefix('fast-path');
  const requests: LlmRequestV1[] = [];
  const results: LlmResultV1[] = [];
  const resultHeaders = new Map<string, Record<string, string>>();
  const usage: UsageV1[] = [];
  const kafka = createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'fast-path-int', logger });
  const consumer = kafka.consumer({ groupId: `fast-path-int-${randomUUID()}` });
  const prisma = createPrismaClient(infra.DATABASE_URL);

  const store = async (tenant: Tenant, body: ChatRequestBody, raw: string) => {
    await redis.set(new TenantKeys(tenant.tenantId).exactCache(exactCacheKey(tenant.tenantId, body)), raw, 'EX', 600);
  };
  const post = (service: RunningService, path: string, body: unknown, tenant: Tenant = acme, headers: Record<string, string> = {}) =>
    fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const get = (path: string, tenant: Tenant = acme) => fetch(`${fast.url}${path}`, { headers: { authorization: `Bearer ${tenant.apiKey}` } });
  const submit = async (service: RunningService, body: ChatRequestBody, tenant: Tenant = acme) => {
    const res = await post(service, '/v1/requests', body, tenant);
    expect(res.status).toBe(202);
    return ((await res.json()) as { request_id: string }).request_id;
  };
  const published = (requestId: string) => waitFor(() => requests.find((r) => r.request_id === requestId), { what: `${requestId} on llm.requests.v1` });
  /**
   * A request is published to the tenant's partition of its band, in order: once a later request of the same
   * tenant and band is on llm.requests.v1, an earlier one that is not there never will be.
   */
  const expectNeverPublished = async (requestId: string, tenant: Tenant = acme) => {
    await published(await submit(fast, { model: 'sim-small', messages: [{ role: 'user', content: `marker ${randomUUID()}` }] }, tenant));
    expect(requests.map((r) => r.request_id)).not.toContain(requestId);
  };
  const recorded = async (requestId: string) => ({
    result: await waitFor(() => results.find((r) => r.request_id === requestId), { what: `the result of ${requestId} on llm.results.v1` }),
    usage: await waitFor(() => usage.find((u) => u.request_id === requestId), { what: `the usage of ${requestId} on llm.usage.v1` }),
  });

  const boot = async (env: Record<string, string>) => {
    const config = parseConfig(ingressConfigSchema, {
      KAFKA_BROKERS: infra.KAFKA_BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_URL: infra.REDIS_URL,
      DATABASE_URL: infra.DATABASE_URL,
      SYNC_TIMEOUT_MS: '20000',
      ...env,
    });
    return runService({
      name: 'ingress',
      module: (log) => RequestsModule.forRoot(config, log),
      settings: testServiceSettings(),
      kafka: config,
      groupId: `fast-path-int-svc-${randomUUID()}`,
      bodyLimit: String(config.BODY_LIMIT_BYTES),
      prefilters: () => RequestsModule.prefilters,
      logger,
    });
  };

  beforeAll(async () => {
    await createTopics(prefix);
    await migrate(infra.DATABASE_URL);
    for (const t of [acme, globex, capped]) await seedTenant(prisma, t);
    const plansPath = join(mkdtempSync(join(tmpdir(), 'fast-path-')), 'plans.json');
    writeFileSync(plansPath, JSON.stringify(PLANS));
    await consumer.connect();
    await consumer.subscribe({ topics: [Topics.requests, Topics.results, Topics.usage].map((t) => `${prefix}${t}`), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const value: unknown = JSON.parse(message.value?.toString() ?? 'null');
        if (topic === `${prefix}${Topics.requests}`) requests.push(value as LlmRequestV1);
        else if (topic === `${prefix}${Topics.results}`) {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          resultHeaders.set((value as LlmResultV1).request_id, headers);
          results.push(value as LlmResultV1);
        } else usage.push(value as UsageV1);
      },
    });
    fast = await boot({ ADMISSION_PLANS_PATH: plansPath });
    switchedOff = await boot({ EXACT_CACHE_FAST_PATH: 'false' });
    redis = fast.app.get<Redis>(REDIS);
  });

  afterAll(async () => {
    await consumer.disconnect();
    await fast?.close();
    await switchedOff?.close();
    for (const t of [acme, globex, capped]) {
      const keys = await redis.keys(`${new TenantKeys(t.tenantId).prefix}*`).catch(() => []);
      if (keys.length > 0) await redis.del(...keys);
    }
    await prisma.$executeRaw`delete from request_registry where tenant_id in (${acme.tenantId}, ${globex.tenantId}, ${capped.tenantId})`;
    await prisma.$disconnect();
  });

  it('answers a stored question itself, records the result and a zero-cost usage event, and never sends it to llm.requests.v1', async () => {
    const body = question(`what is 2+2? ${suffix}`);
    await store(acme, body, JSON.stringify(chatCompletion('four')));

    const res = await post(fast, '/v1/chat/completions', body);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('HIT-EXACT');
    const requestId = res.headers.get('x-request-id')!;
    expect(await res.json()).toMatchObject({ id: `chatcmpl-${requestId}`, object: 'chat.completion', choices: [{ message: { content: 'four' }, finish_reason: 'stop' }] });

    const { result, usage: hitUsage } = await recorded(requestId);
    expect(result).toMatchObject({ tenant_id: acme.tenantId, status: 'succeeded', source: 'cache', cost_micros: 0 });
    expect(hitUsage).toMatchObject({ tenant_id: acme.tenantId, call_id: 'cache', source: 'cache', cost_micros: 0, tokens_in: 3, tokens_out: 2 });
    await expectNeverPublished(requestId);

    // Status and the events endpoint know the answer like any other's.
    expect(await (await get(`/v1/requests/${requestId}`)).json()).toMatchObject({ request_id: requestId, status: 'succeeded', source: 'cache', cost_micros: 0 });
    const events = await (await get(`/v1/requests/${requestId}/events`)).text();
    expect(events).toContain('"content":"four"');
    expect(events).toContain('data: [DONE]');
  });

  it("frees a hit's in-flight slot itself, and its own results consumer skips the hit's result unread", async () => {
    const skipped = async () => {
      const metrics = await (await fetch(`${fast.url}/metrics`)).text();
      const line = metrics.split('\n').find((l) => l.startsWith('kafka_messages_processed_total{') && l.includes(`topic="${Topics.results}"`) && l.includes('outcome="skipped"'));
      return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const before = await skipped();
    const ids: string[] = [];
    // In flight is capped at one: each hit is admitted only if the one before it gave its slot back.
    for (const n of [1, 2, 3]) {
      const body = question(`capped ${n} ${suffix}`);
      await store(capped, body, JSON.stringify(chatCompletion(`answer ${n}`)));
      const res = await post(fast, '/v1/chat/completions', body, capped);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-cache')).toBe('HIT-EXACT');
      ids.push(res.headers.get('x-request-id')!);
      await waitFor(async () => ((await redis.zcard(new TenantKeys(capped.tenantId).admissionSlots('inflight'))) === 0 ? true : undefined), { what: 'the in-flight slot freed' });
    }
    for (const id of ids) {
      await recorded(id);
      expect(resultHeaders.get(id)).toMatchObject({ [Headers.outcomeRecordedBy]: 'ingress' });
    }
    await waitFor(async () => ((await skipped()) >= before + ids.length ? true : undefined), { what: "ingress skipping its hits' results" });
    // Skipped unread, the status still holds the outcome the hit wrote.
    expect(await (await get(`/v1/requests/${ids[0]}`, capped)).json()).toMatchObject({ status: 'succeeded', source: 'cache' });
  });

  it('streams a hit as the cache service would: one content chunk, the finish, usage on request, [DONE]', async () => {
    const body = question(`stream me ${suffix}`, { stream: true });
    await store(acme, body, JSON.stringify(chatCompletion('streamed from cache')));

    const res = await post(fast, '/v1/chat/completions', { ...body, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const requestId = res.headers.get('x-request-id')!;
    const frames = (await res.text()).split('\n\n').filter((f) => f.length > 0);
    expect(frames[0]).toMatch(/^id: \d+-\d+\n/);
    const data = frames.map((f) => f.slice(f.indexOf('data: ') + 'data: '.length));
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { id: string; choices: Array<{ delta: { content?: string }; finish_reason: string | null }>; usage?: unknown });
    expect(chunks[0]).toMatchObject({ id: `chatcmpl-${requestId}`, choices: [{ delta: { role: 'assistant', content: 'streamed from cache' }, finish_reason: null }] });
    expect(chunks[1]).toMatchObject({ choices: [{ delta: {}, finish_reason: 'stop' }] });
    expect(chunks[2]).toMatchObject({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } });
    expect((await recorded(requestId)).usage).toMatchObject({ call_id: 'cache', cost_micros: 0 });
    await expectNeverPublished(requestId);
  });

  it('replays a hit sent with an Idempotency-Key from its recorded outcome, as the same request', async () => {
    const body = question(`keyed ${suffix}`);
    await store(acme, body, JSON.stringify(chatCompletion('keyed answer')));
    const key = `fp-${suffix}`;
    const first = await post(fast, '/v1/chat/completions', body, acme, { 'idempotency-key': key });
    const again = await post(fast, '/v1/chat/completions', body, acme, { 'idempotency-key': key });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.headers.get('x-request-id')).toBe(first.headers.get('x-request-id'));
    expect(again.headers.get('x-cache')).toBe('HIT-EXACT');
    expect(await again.json()).toEqual(await first.json());
    const changed = await post(fast, '/v1/chat/completions', question(`keyed, but changed ${suffix}`), acme, { 'idempotency-key': key });
    expect(changed.status).toBe(409);
    await expectNeverPublished(first.headers.get('x-request-id')!);
  });

  it("does not serve one tenant's answer to another tenant's identical question", async () => {
    const body = question(`shared question ${suffix}`);
    await store(acme, body, JSON.stringify(chatCompletion('only for acme')));
    const theirs = await submit(fast, body, globex);
    expect(await published(theirs)).toMatchObject({ tenant_id: globex.tenantId });
  });

  it('does not look up a sampled request, even when an answer is stored under its key', async () => {
    const sampled = question(`sample me ${suffix}`, { temperature: 0.9 });
    await store(acme, sampled, JSON.stringify(chatCompletion('one draw')));
    await published(await submit(fast, sampled));
  });

  it.each(['refresh', 'off'])('sends a stored question the long way when the caller asks x-llm-cache: %s, carrying the directive', async (directive) => {
    const body = question(`directive ${directive} ${suffix}`);
    await store(acme, body, JSON.stringify(chatCompletion('stale answer')));
    const res = await post(fast, '/v1/requests', body, acme, { 'x-llm-cache': directive });
    expect(res.status).toBe(202);
    const requestId = ((await res.json()) as { request_id: string }).request_id;
    expect(await published(requestId)).toMatchObject({ cache: directive });
  });

  it('refuses an unknown x-llm-cache directive with INVALID_REQUEST', async () => {
    const res = await post(fast, '/v1/chat/completions', question(`bad directive ${suffix}`), acme, { 'x-llm-cache': 'sometimes' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { platform_code: 'INVALID_REQUEST' } });
  });

  it('takes a corrupt entry for a miss and goes on serving', async () => {
    const body = question(`corrupt ${suffix}`);
    await store(acme, body, '{"id":"chatcmpl-x","choices":[{"message":');
    const requestId = await submit(fast, body);
    await published(requestId);
    expect(await (await get(`/v1/requests/${requestId}`)).json()).toMatchObject({ status: 'accepted' });
  });

  it('sends every request the long way when EXACT_CACHE_FAST_PATH is false', async () => {
    const body = question(`switched off ${suffix}`);
    await store(acme, body, JSON.stringify(chatCompletion('not from ingress')));
    await published(await submit(switchedOff, body));
  });
});
