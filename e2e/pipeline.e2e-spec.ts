import { randomUUID } from 'node:crypto';
import { exactCacheKey } from '@llm/cache-key';
import { inboundRequestId, Topics } from '@llm/contracts';
import { createKafkaClient, KafkaEventPublisher } from '@llm/kafka';
import { createRedis, TenantKeys, type Redis } from '@llm/redis';
import { quietLogger, testInfra, waitFor } from '@llm/testing';
import OpenAI from 'openai';
import { Client } from 'pg';
import { platformInfo, type PlatformInfo } from './support/platform';

interface UsageRow {
  attempt: number;
  source: string;
  model: string;
  tokens_in: number;
  tokens_out: number;
  cost_micros: string;
}

describe('the whole platform, end to end', () => {
  let p: PlatformInfo;
  let client: OpenAI;
  let db: Client;
  let redis: Redis;

  beforeAll(async () => {
    p = platformInfo();
    client = new OpenAI({ baseURL: `${p.ingressUrl}/v1`, apiKey: p.apiKey, maxRetries: 0, timeout: 60_000 });
    db = new Client({ connectionString: testInfra().DATABASE_URL });
    await db.connect();
    redis = createRedis(testInfra().REDIS_URL, quietLogger());
  });

  afterAll(async () => {
    await db.end();
    redis.disconnect();
  });

  async function usageRows(requestId: string): Promise<UsageRow[]> {
    const { rows } = await db.query<UsageRow>(
      'select attempt, source, model, tokens_in, tokens_out, cost_micros::text as cost_micros from usage_events where request_id = $1 and tenant_id = $2',
      [requestId, p.tenantId],
    );
    return rows;
  }

  /** A counter's value on a service's /metrics (0 when not yet counted). */
  async function counter(url: string, series: string): Promise<number> {
    const text = await (await fetch(`${url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(series));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  }

  it('answers through ingress → Kafka → router → worker → model-sim → results, charges once, then serves the repeat from cache for free', async () => {
    // With no semantic lookup running, a miss at ingress's exact lookup skips the cache stage (ADR 0018).
    const cacheMisses = () => counter(p.cacheUrl, 'cache_exact_lookups_total{outcome="miss"');
    const missesBefore = await cacheMisses();
    const body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = {
      model: 'auto',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: `Say hello to run ${randomUUID()}` },
      ],
      temperature: 0,
    };
    const first = await client.chat.completions.create(body).withResponse();
    expect(first.response.status).toBe(200);
    expect(first.response.headers.get('x-cache')).toBe('MISS');
    const requestId = first.response.headers.get('x-request-id')!;
    expect(first.data.choices[0]!.message.content).toMatch(/\S/);
    expect(first.data.model).toBe('sim-small');
    expect(first.data.usage!.completion_tokens).toBeGreaterThan(0);
    expect(await cacheMisses()).toBe(missesBefore);

    const charged = await waitFor(async () => ((await usageRows(requestId)).length > 0 ? usageRows(requestId) : undefined), { what: 'the usage row', timeoutMs: 30_000 });
    expect(charged).toHaveLength(1);
    expect(charged[0]).toMatchObject({
      attempt: 1,
      source: 'model',
      model: 'sim-small',
      tokens_in: first.data.usage!.prompt_tokens,
      tokens_out: first.data.usage!.completion_tokens,
    });
    expect(Number(charged[0]!.cost_micros)).toBeGreaterThan(0);

    // The cache service writes the answer back from llm.results.v1; wait for that instead of sleeping.
    const cacheKey = new TenantKeys(p.tenantId).exactCache(exactCacheKey(p.tenantId, body as never));
    await waitFor(async () => ((await redis.exists(cacheKey)) === 1 ? true : undefined), { what: 'the cache write-back' });

    const second = await client.chat.completions.create(body).withResponse();
    expect(second.response.headers.get('x-cache')).toBe('HIT-EXACT');
    expect(second.data.choices[0]!.message.content).toBe(first.data.choices[0]!.message.content);
    const secondId = second.response.headers.get('x-request-id')!;
    expect(secondId).not.toBe(requestId);
    const free = await waitFor(async () => ((await usageRows(secondId)).length > 0 ? usageRows(secondId) : undefined), { what: 'the cache-hit usage row' });
    expect(free).toEqual([expect.objectContaining({ source: 'cache', cost_micros: '0' })]);
    expect(await usageRows(requestId)).toHaveLength(1);
  });

  it('cascades a word problem asked of `smart`: a confident small answer is kept, a wrong-looking one escalated, one ledger row per call', async () => {
    const question =
      'Janet’s ducks lay 16 eggs per day. She eats three for breakfast and bakes muffins with four. She sells the rest for $2 each. How much in dollars does she make every day?';
    const strong = 'She has 16 - 3 - 4 = 9 eggs left and makes 9 * 2 = 18 dollars. The answer is 18.';
    const ask = async (weak: string) => {
      const res = await client.chat.completions
        .create({
          model: 'smart',
          temperature: 0,
          // model-sim answers each model its own line (ECHO@<model>); the run id keeps the exact cache out of it.
          messages: [
            { role: 'system', content: `run ${randomUUID()}\nECHO@sim-small: ${weak}\nECHO@sim-large: ${strong}` },
            { role: 'user', content: question },
          ],
        })
        .withResponse();
      const id = res.response.headers.get('x-request-id')!;
      const rows = await waitFor(
        async () => {
          const r = await db.query<{ model: string; fallback_step: string; call_id: string; cost_micros: string }>(
            'select model, fallback_step, call_id, cost_micros::text as cost_micros from usage_events where request_id = $1 and tenant_id = $2 order by call_id',
            [id, p.tenantId],
          );
          return r.rows.length >= (res.data.model === 'sim-large' ? 2 : 1) ? r.rows : undefined;
        },
        { what: 'the usage rows', timeoutMs: 30_000 },
      );
      return { data: res.data, rows };
    };

    const kept = await ask('She has 16 - 3 - 4 = 9 eggs and makes 9 * 2 = 18 dollars. The answer is 18.');
    expect(kept.data.model).toBe('sim-small');
    expect(kept.rows.map((r) => [r.model, r.fallback_step, r.call_id])).toEqual([['sim-small', 'primary', 'c1']]);

    const escalated = await ask('She has 16 - 3 - 4 = 10 eggs and makes 10 * 2 = 21 dollars, approximately. The answer is 20.5.');
    expect(escalated.data.model).toBe('sim-large');
    expect(escalated.data.choices[0]!.message.content).toBe(strong);
    expect(escalated.rows.map((r) => [r.model, r.fallback_step, r.call_id])).toEqual([
      ['sim-small', 'primary', 'c1'],
      ['sim-large', 'escalation', 'c2'],
    ]);
    expect(escalated.rows.every((r) => Number(r.cost_micros) > 0)).toBe(true);
  });

  it('streams deltas over SSE with the official client', async () => {
    const stream = await client.chat.completions.create({
      model: 'sim-large',
      messages: [{ role: 'user', content: `ECHO: streamed ${randomUUID()}` }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text).toContain('streamed');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('accepts async requests with 202 and reports their status by id, only to their own tenant', async () => {
    const res = await fetch(`${p.ingressUrl}/v1/requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.apiKey}`, 'content-type': 'application/json', 'x-priority': 'batch' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: `async ${randomUUID()}` }] }),
    });
    expect(res.status).toBe(202);
    const { request_id } = (await res.json()) as { request_id: string };
    const done = await waitFor(
      async () => {
        const s = (await (await fetch(`${p.ingressUrl}/v1/requests/${request_id}`, { headers: { authorization: `Bearer ${p.apiKey}` } })).json()) as {
          status: string;
          response?: OpenAI.ChatCompletion;
        };
        return s.status === 'succeeded' ? s : undefined;
      },
      { what: 'the async request to finish', timeoutMs: 30_000 },
    );
    expect(done.response!.choices[0]!.message.content).toMatch(/\S/);
    const other = await fetch(`${p.ingressUrl}/v1/requests/${request_id}`, { headers: { authorization: `Bearer ${p.freeApiKey}` } });
    expect(other.status).toBe(404);
  });

  it('takes a request event from llm.inbound.v1 (an upstream system) and answers it once, even if sent twice', async () => {
    const publisher = new KafkaEventPublisher(
      createKafkaClient({ brokers: testInfra().KAFKA_BROKERS, clientId: 'e2e-upstream', logger: quietLogger() }),
      quietLogger(),
      testInfra().KAFKA_TOPIC_PREFIX,
    );
    await publisher.connect();
    // The upstream's id is its own (any opaque string); the platform's id is derived from it and the tenant.
    const event = {
      request_id: `order-${randomUUID()}`,
      tenant_id: p.tenantId,
      priority: 'batch' as const,
      body: { model: 'auto', messages: [{ role: 'user' as const, content: `inbound ${randomUUID()}` }] },
    };
    const requestId = inboundRequestId(p.tenantId, event.request_id);
    await publisher.publish(Topics.inbound, event);
    await publisher.publish(Topics.inbound, event);
    await publisher.disconnect();
    await waitFor(
      async () => {
        const res = await fetch(`${p.ingressUrl}/v1/requests/${requestId}`, { headers: { authorization: `Bearer ${p.apiKey}` } });
        return res.ok && ((await res.json()) as { status: string }).status === 'succeeded' ? true : undefined;
      },
      { what: 'the inbound request to finish', timeoutMs: 30_000 },
    );
    const rows = await waitFor(async () => ((await usageRows(requestId)).length > 0 ? usageRows(requestId) : undefined), { what: 'inbound usage' });
    expect(rows).toHaveLength(1);
  });

  it('maps failures to clear HTTP errors with stable codes', async () => {
    const unknownModel = await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(unknownModel).toBeInstanceOf(OpenAI.NotFoundError);
    // OpenAI's code and type, our finer code beside them.
    expect((unknownModel as InstanceType<typeof OpenAI.APIError>).code).toBe('model_not_found');
    expect((unknownModel as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ platform_code: 'MODEL_NOT_FOUND', param: null });
    // A stream that fails before its first byte gets the same status, not 200 and an error event.
    const unknownStream = await client.chat.completions.create({ model: 'no-such-model', stream: true, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(unknownStream).toBeInstanceOf(OpenAI.NotFoundError);

    const badKey = new OpenAI({ baseURL: `${p.ingressUrl}/v1`, apiKey: 'sk-not-a-real-key-000', maxRetries: 0 });
    const unauthorised = await badKey.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(unauthorised).toBeInstanceOf(OpenAI.AuthenticationError);

    const post = (body: string) =>
      fetch(`${p.ingressUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${p.apiKey}`, 'content-type': 'application/json' }, body });
    const wrongTypes = await post(JSON.stringify({ model: 7, messages: 'hello' }));
    expect(wrongTypes.status).toBe(400);
    expect(((await wrongTypes.json()) as { error: { platform_code: string } }).error.platform_code).toBe('INVALID_REQUEST');
    const notJson = await post('{"model": ');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { platform_code: string } }).error.platform_code).toBe('INVALID_JSON');
    const huge = await post(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'x'.repeat(3 * 1024 * 1024) }] }));
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { platform_code: string } }).error.platform_code).toBe('BODY_TOO_LARGE');
    // The service is still up after hostile input.
    expect((await fetch(`${p.ingressUrl}/health`)).status).toBe(200);
  });
});
