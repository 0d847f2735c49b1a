import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Module } from '@nestjs/common';
import { parseConfig } from '@llm/config';
import { Topics, type ChatCompletion, type ChatRequestBody, type LlmRequestV1, type LlmResultV1, type RetrieveRequestV1, type RouteRequestV1, type UsageV1 } from '@llm/contracts';
import { createKafkaClient, KafkaEventPublisher, OnTopic } from '@llm/kafka';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';
import { ResultStreamReader } from '@llm/result-stream';
import { runService, type RunningService } from '@llm/service-runtime';
import { createTopics, llmRequest, llmResult, quietLogger, testInfra, testServiceSettings, uniquePrefix, waitFor } from '@llm/testing';
import { cacheConfigSchema } from '../config/cache.config';
import { ExactCacheModule } from '../exact-cache/exact-cache.module';
import { SemanticCacheRepository } from './semantic-cache.repository';
import { CALIBRATED_SINGLE_THRESHOLD, CALIBRATED_WITH_ALIGNMENT, SemanticMatcher } from './semantic-matcher';

const infra = testInfra();
const logger = quietLogger('semantic-cache-int');
const ADMIN = 'semantic-cache-int-admin-token';
const routed: RouteRequestV1[] = [];
const usage: UsageV1[] = [];

@Controller()
class DownstreamProbe {
  @OnTopic(Topics.route)
  async onRoute(request: RouteRequestV1): Promise<void> {
    routed.push(request);
  }
  @OnTopic(Topics.retrieve)
  async onRetrieve(request: RetrieveRequestV1): Promise<void> {
    routed.push({ ...request, context: [] });
  }
  @OnTopic(Topics.usage)
  async onUsage(event: UsageV1): Promise<void> {
    usage.push(event);
  }
}
@Module({ controllers: [DownstreamProbe] })
class DownstreamProbeModule {}

const SYSTEM = 'You are the support assistant of a shop.';
const body = (question: string, extra: Partial<ChatRequestBody> = {}, system = SYSTEM): ChatRequestBody => ({
  model: 'auto',
  temperature: 0,
  messages: [
    { role: 'system', content: system },
    { role: 'user', content: question },
  ],
  ...extra,
});
const answer = (text: string): ChatCompletion => ({
  id: 'orig',
  object: 'chat.completion',
  created: 1,
  model: 'sim-small',
  choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
});

describe('semantic cache (Kafka + Redis + the real embedding model + the embedded index)', () => {
  let cache: RunningService;
  let probe: RunningService;
  let publisher: KafkaEventPublisher;
  let reader: ResultStreamReader;
  let redis: Redis;
  let repository: SemanticCacheRepository;
  let indexDir: string;
  const tenants: string[] = [];
  const freshTenant = async (): Promise<string> => {
    const tenant = `sem-${randomBytes(4).toString('hex')}`;
    tenants.push(tenant);
    // A tenant threshold: paraphrases of this spec sit near 0.9 with the real model.
    await repository.setThreshold(tenant, undefined, 0.85);
    return tenant;
  };

  beforeAll(async () => {
    const prefix = uniquePrefix('semcache');
    await createTopics(prefix);
    indexDir = mkdtempSync(join(tmpdir(), 'semcache-int-'));
    const config = parseConfig(cacheConfigSchema, {
      REDIS_URL: infra.REDIS_URL,
      VECTOR_INDEX_DIR: indexDir,
      ADMIN_TOKEN: ADMIN,
      SEMANTIC_CACHE_ENABLED: 'true',
    });
    const kafka = { ...infra, KAFKA_TOPIC_PREFIX: prefix };
    cache = await runService({
      name: 'cache',
      module: (log) => ExactCacheModule.forRoot({ config, logger: log }),
      settings: testServiceSettings(),
      kafka,
      groupId: `semcache-${randomUUID()}`,
      logger,
    });
    probe = await runService({ name: 'probe', module: () => DownstreamProbeModule, settings: testServiceSettings(), kafka, groupId: `semprobe-${randomUUID()}`, logger });
    publisher = new KafkaEventPublisher(createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'semcache-int', logger }), logger, prefix);
    await publisher.connect();
    reader = cache.app.get(ResultStreamReader);
    redis = cache.app.get<Redis>(REDIS);
    repository = cache.app.get(SemanticCacheRepository);
  });

  afterAll(async () => {
    await publisher?.disconnect();
    await probe?.close();
    if (cache) {
      for (const tenant of tenants) {
        const keys = await redis.keys(`${new TenantKeys(tenant).prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
      }
      await cache.close();
    }
    rmSync(indexDir, { recursive: true, force: true });
  });

  /** Publishes a request and reports how it ended: answered from the cache, or passed on to routing. */
  async function ask(request: LlmRequestV1): Promise<{ routed: RouteRequestV1 } | { hit: LlmResultV1 }> {
    await publisher.publish(Topics.requests, request);
    return waitFor(
      async () => {
        const r = routed.find((x) => x.request_id === request.request_id);
        if (r) return { routed: r };
        const hit = await reader.terminal(request.tenant_id, request.request_id);
        return hit ? { hit } : undefined;
      },
      { what: `request ${request.request_id} to be answered or routed` },
    );
  }

  /** A question asked, missed, and answered by "the model" (a result published as the worker would). */
  async function seed(tenant: string, question: ChatRequestBody, cost = 1_234, extra: Partial<LlmRequestV1> = {}): Promise<void> {
    const request = llmRequest({ tenant_id: tenant, body: question, ...extra });
    const outcome = await ask(request);
    expect(outcome).toHaveProperty('routed');
    const before = (await redis.keys(`${new TenantKeys(tenant).prefix}cache:sem:*`)).length;
    await publisher.publish(
      Topics.results,
      llmResult({
        tenant_id: tenant,
        request_id: request.request_id,
        cache_key: (outcome as { routed: RouteRequestV1 }).routed.cache_key,
        response: answer('refunds take 5 days'),
        usage: answer('').usage!,
        cost_micros: cost,
      }),
    );
    await waitFor(async () => ((await redis.keys(`${new TenantKeys(tenant).prefix}cache:sem:*`)).length > before ? true : undefined), { what: 'the semantic entry to be stored' });
  }

  const isRouted = (o: { routed: RouteRequestV1 } | { hit: LlmResultV1 }) => 'routed' in o;

  it('answers a paraphrase from the semantic cache: zero cost, saved cost, similarity, HIT-SEMANTIC', async () => {
    const tenant = await freshTenant();
    await seed(tenant, body('What is your refund policy?'), 1_234);
    const paraphrase = llmRequest({ tenant_id: tenant, body: body('what is the refund policy') });
    const outcome = await ask(paraphrase);
    expect(outcome).toHaveProperty('hit');
    const hit = (outcome as { hit: LlmResultV1 }).hit;
    expect(hit).toMatchObject({ status: 'succeeded', source: 'cache', cost_micros: 0, cache_hit: { kind: 'semantic', saved_micros: 1_234 } });
    expect(hit.cache_hit!.similarity).toBeGreaterThan(0.85);
    expect(hit.response!.choices[0]!.message.content).toBe('refunds take 5 days');
    await waitFor(() => (usage.some((u) => u.request_id === paraphrase.request_id) ? true : undefined), { what: 'the usage of the hit' });
    expect(usage.filter((u) => u.request_id === paraphrase.request_id)).toEqual([
      expect.objectContaining({ call_id: 'cache', source: 'cache', cost_micros: 0, saved_micros: 1_234 }),
    ]);
  });

  it('under the default decision a borderline candidate goes to the token-alignment stage: a paraphrase below the single threshold is served, a different question is not', async () => {
    // No tenant threshold: the calibrated default (token alignment on cosines in [0.6, 0.97)) decides. With the
    // shipped model these pairs sit at cosine ~0.93 (probability ~0.90, cutoff 0.87) and ~0.88 (~0.80).
    const tenant = `sem-${randomBytes(4).toString('hex')}`;
    tenants.push(tenant);
    await seed(tenant, body('How do I learn Java?'));
    await seed(tenant, body('How do I reset my password?'));
    const paraphrase = await ask(llmRequest({ tenant_id: tenant, body: body('What is the best way to learn Java?') }));
    expect(paraphrase).toHaveProperty('hit');
    const similarity = (paraphrase as { hit: LlmResultV1 }).hit.cache_hit!.similarity;
    expect(similarity).toBeLessThan(CALIBRATED_SINGLE_THRESHOLD.threshold);
    expect(similarity).toBeGreaterThanOrEqual(CALIBRATED_WITH_ALIGNMENT!.classifier!.low);
    expect(isRouted(await ask(llmRequest({ tenant_id: tenant, body: body('How do I change my password?') })))).toBe(true);
  });

  it('never hits across tenants, system prompts or tools, and not for an unrelated question', async () => {
    const tenant = await freshTenant();
    const other = await freshTenant();
    await seed(tenant, body('What is your refund policy?'));
    expect(isRouted(await ask(llmRequest({ tenant_id: other, body: body('what is the refund policy') })))).toBe(true);
    expect(isRouted(await ask(llmRequest({ tenant_id: tenant, body: body('what is the refund policy', {}, 'You are a pirate.') })))).toBe(true);
    const tools = { tools: [{ type: 'function' as const, function: { name: 'lookup_order' } }] };
    expect(isRouted(await ask(llmRequest({ tenant_id: tenant, body: body('what is the refund policy', tools) })))).toBe(true);
    expect(isRouted(await ask(llmRequest({ tenant_id: tenant, body: body('how do I bake sourdough bread') })))).toBe(true);
    // The control: the same paraphrase in the same context still hits.
    expect(isRouted(await ask(llmRequest({ tenant_id: tenant, body: body('what is the refund policy') })))).toBe(false);
  });

  it('does not hit after the TTL', async () => {
    const tenant = await freshTenant();
    await seed(tenant, body('What is your refund policy?'));
    const matcher = cache.app.get(SemanticMatcher);
    const prepared = (await matcher.prepare({ tenant_id: tenant, body: body('what is the refund policy') }))!;
    expect(await matcher.nearest(tenant, prepared, new Date())).toBeDefined();
    // A day and a bit later, past SEMANTIC_CACHE_TTL_S (the answer's Redis key expires with it).
    expect(await matcher.nearest(tenant, prepared, new Date(Date.now() + 86_500_000))).toBeUndefined();
  });

  it('does not hit after a purge through the admin endpoint (whole tenant, or one feature)', async () => {
    const tenant = await freshTenant();
    await seed(tenant, body('What is your refund policy?'), 1, { feature: 'support' });
    // Another wording: the exact key does not hold the feature, and this test is about the semantic entries.
    await seed(tenant, body("What's your refund policy?"), 1, { feature: 'sales' });
    const url = `${cache.url}/admin/cache/tenants/${tenant}/purge`;
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    const purged = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ feature: 'support' }),
    });
    expect(purged.status).toBe(200);
    expect(await purged.json()).toEqual({ deleted: 1 });
    expect(isRouted(await ask(llmRequest({ tenant_id: tenant, feature: 'support', body: body('what is the refund policy') })))).toBe(true);
    expect(isRouted(await ask(llmRequest({ tenant_id: tenant, feature: 'sales', body: body('what is the refund policy') })))).toBe(false);
  });

  it('does not hit after a purge event on llm.cache-purge.v1 (version key bumped), not even the exact question', async () => {
    const tenant = await freshTenant();
    await seed(tenant, body('What is your refund policy?'));
    expect(isRouted(await ask(llmRequest({ tenant_id: tenant, body: body('What is your refund policy?') })))).toBe(false);
    await publisher.publish(Topics.cachePurge, { tenant_id: tenant, requested_at: new Date().toISOString() });
    await waitFor(async () => ((await repository.versions(tenant, undefined, undefined)).tenant === '1' ? true : undefined), { what: 'the tenant version to be bumped' });
    expect(isRouted(await ask(llmRequest({ tenant_id: tenant, body: body('what is the refund policy') })))).toBe(true);
    expect(isRouted(await ask(llmRequest({ tenant_id: tenant, body: body('What is your refund policy?') })))).toBe(true);
  });

  it('does not hit after a RAG collection version bump, and only in its own collection', async () => {
    const tenant = await freshTenant();
    const rag = { collection: 'docs', top_k: 3 };
    await publisher.publish(Topics.cachePurge, { tenant_id: tenant, collection: 'wiki', requested_at: new Date().toISOString() });
    await waitFor(async () => ((await repository.versions(tenant, undefined, 'wiki')).collection === '1' ? true : undefined), { what: 'the wiki version to be bumped' });
    await seed(tenant, body('What is your refund policy?'), 1, { rag });
    // Routed RAG misses go to retrieval, not routing: look them up directly instead.
    const matcher = cache.app.get(SemanticMatcher);
    const hitIn = async (collection: string) => {
      const prepared = (await matcher.prepare({ tenant_id: tenant, body: body('what is the refund policy'), rag: { collection, top_k: 3 } }))!;
      return (await matcher.match(tenant, undefined, prepared, new Date()))?.verdict;
    };
    expect(await hitIn('docs')).toBe('hit');
    expect(await hitIn('wiki')).toBeUndefined();
    await repository.bumpVersion(tenant, { collection: 'docs' });
    expect(await hitIn('docs')).toBeUndefined();
  });

  it('cache: refresh bypasses the lookup and stores the fresh answer; cache: off neither reads nor writes', async () => {
    const tenant = await freshTenant();
    await seed(tenant, body('What is your refund policy?'));
    const refresh = await ask(llmRequest({ tenant_id: tenant, body: body('what is the refund policy'), cache: 'refresh' }));
    expect(isRouted(refresh)).toBe(true);
    expect((refresh as { routed: RouteRequestV1 }).routed.cache_key).toBeDefined();
    const off = llmRequest({ tenant_id: tenant, body: body('what is the refund policy'), cache: 'off' });
    const offOutcome = await ask(off);
    expect(isRouted(offOutcome)).toBe(true);
    expect((offOutcome as { routed: RouteRequestV1 }).routed.cache_key).toBeUndefined();
    expect(await redis.exists(new TenantKeys(tenant).semanticPending(off.request_id))).toBe(0);
  });
});
