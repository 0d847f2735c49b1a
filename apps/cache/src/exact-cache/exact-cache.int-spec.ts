import { randomBytes, randomUUID } from 'node:crypto';
import { Controller, Module } from '@nestjs/common';
import { exactCacheKey } from '@llm/cache-key';
import { parseConfig } from '@llm/config';
import { Topics, type ChatCompletion, type ChatRequestBody, type RouteRequestV1, type UsageV1 } from '@llm/contracts';
import { createKafkaClient, KafkaEventPublisher, OnTopic } from '@llm/kafka';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';
import { ResultStreamReader } from '@llm/result-stream';
import { runService, type RunningService } from '@llm/service-runtime';
import { chatCompletion, createTopics, llmRequest, llmResult, quietLogger, testInfra, testServiceSettings, uniquePrefix, waitFor } from '@llm/testing';
import { cacheConfigSchema } from '../config/cache.config';
import { ExactCacheModule } from './exact-cache.module';

const infra = testInfra();
const logger = quietLogger('cache-int');
const tenant = `cache-${randomBytes(4).toString('hex')}`;

/** What the cache sends on: a stand-in for the router and the cost ledger. */
const routed: RouteRequestV1[] = [];
const usage: UsageV1[] = [];

@Controller()
class DownstreamProbe {
  @OnTopic(Topics.route)
  async onRoute(request: RouteRequestV1): Promise<void> {
    routed.push(request);
  }

  @OnTopic(Topics.usage)
  async onUsage(event: UsageV1): Promise<void> {
    usage.push(event);
  }
}

@Module({ controllers: [DownstreamProbe] })
class DownstreamProbeModule {}

const body = (question: string): ChatRequestBody => ({ model: 'auto', temperature: 0, messages: [{ role: 'user', content: question }] });

describe('cache service (Kafka + Redis)', () => {
  let cache: RunningService;
  let probe: RunningService;
  let publisher: KafkaEventPublisher;
  let reader: ResultStreamReader;
  let redis: Redis;

  beforeAll(async () => {
    const prefix = uniquePrefix('cache');
    await createTopics(prefix);
    const kafka = { ...infra, KAFKA_TOPIC_PREFIX: prefix };
    const config = parseConfig(cacheConfigSchema, { REDIS_URL: infra.REDIS_URL });
    cache = await runService({
      name: 'cache',
      module: (log) => ExactCacheModule.forRoot({ config, logger: log }),
      settings: testServiceSettings(),
      kafka,
      groupId: `cache-int-${randomUUID()}`,
      logger,
    });
    probe = await runService({ name: 'probe', module: () => DownstreamProbeModule, settings: testServiceSettings(), kafka, groupId: `probe-int-${randomUUID()}`, logger });
    publisher = new KafkaEventPublisher(createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'cache-int', logger }), logger, prefix);
    await publisher.connect();
    reader = cache.app.get(ResultStreamReader);
    redis = cache.app.get<Redis>(REDIS);
  });

  afterAll(async () => {
    await publisher?.disconnect();
    await probe?.close();
    if (cache) {
      const keys = await redis.keys(`${new TenantKeys(tenant).prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await cache.close();
    }
  });

  const terminal = (requestId: string) => waitFor(() => reader.terminal(tenant, requestId), { what: `the terminal result of ${requestId}` });

  it('ends a request past its deadline as EXPIRED and sends it no further', async () => {
    const expired = llmRequest({ tenant_id: tenant, body: body('late question'), deadline_at: new Date(Date.now() - 1_000).toISOString() });
    const live = llmRequest({ tenant_id: tenant, body: body('timely question'), deadline_at: new Date(Date.now() + 600_000).toISOString() });
    await publisher.publish(Topics.requests, expired);
    await publisher.publish(Topics.requests, live);

    expect(await terminal(expired.request_id)).toMatchObject({ status: 'expired', source: 'none', error: { code: 'EXPIRED' }, cost_micros: 0 });
    await waitFor(() => (routed.some((r) => r.request_id === live.request_id) ? true : undefined), { what: 'the live request to be routed' });
    expect(routed.map((r) => r.request_id)).not.toContain(expired.request_id);
  });

  it('stores an answer with tool calls, logprobs and refusal and returns it unchanged on a hit, with idempotent usage', async () => {
    const question = body('what is the weather in Paris?');
    const key = exactCacheKey(tenant, question);
    const answer: ChatCompletion = {
      id: 'chatcmpl-orig',
      object: 'chat.completion',
      created: 1,
      model: 'sim-small',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
          },
          finish_reason: 'tool_calls',
          logprobs: { content: [{ token: 'weather', logprob: -0.01, bytes: null, top_logprobs: [{ token: 'weather', logprob: -0.01 }] }] },
        },
      ],
      usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
    };
    await publisher.publish(Topics.results, llmResult({ tenant_id: tenant, cache_key: key, response: answer, usage: answer.usage! }));
    await waitFor(async () => ((await redis.exists(new TenantKeys(tenant).exactCache(key))) === 1 ? true : undefined), { what: 'the answer to be cached' });

    const again = llmRequest({ tenant_id: tenant, body: question });
    await publisher.publish(Topics.requests, again);
    const hit = await terminal(again.request_id);
    expect(hit).toMatchObject({ status: 'succeeded', source: 'cache', cost_micros: 0 });
    expect(hit.response!.choices).toEqual(answer.choices);
    await waitFor(() => (usage.some((u) => u.request_id === again.request_id) ? true : undefined), { what: 'the usage of the hit' });
    expect(usage.filter((u) => u.request_id === again.request_id)).toEqual([expect.objectContaining({ tenant_id: tenant, call_id: 'cache', source: 'cache', cost_micros: 0 })]);
  });

  it('drops the tenant’s exact entries on a purge (the retriever sends one when a collection’s documents change)', async () => {
    const question = body('what does the handbook say about leave?');
    const key = exactCacheKey(tenant, question, { collection: 'handbook', top_k: 5 });
    await publisher.publish(Topics.results, llmResult({ tenant_id: tenant, cache_key: key, response: chatCompletion('20 days [1]') }));
    await waitFor(async () => ((await redis.exists(new TenantKeys(tenant).exactCache(key))) === 1 ? true : undefined), { what: 'the answer to be cached' });
    await publisher.publish(Topics.cachePurge, { tenant_id: tenant, collection: 'handbook', reason: 'documents changed', requested_at: new Date().toISOString() });
    await waitFor(async () => ((await redis.exists(new TenantKeys(tenant).exactCache(key))) === 0 ? true : undefined), { what: 'the cached answer to be purged' });
  });
});
