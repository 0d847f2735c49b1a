import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { parseConfig } from '@llm/config';
import { dlqTopic, Headers, Topics, type ChatRequestBody, type InboundRequestV1, type LlmRequestV1 } from '@llm/contracts';
import { createPrismaClient, migrate, seedTenant } from '@llm/db';
import { createKafkaClient, KafkaEventPublisher } from '@llm/kafka';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';
import { answeredResult, ResultPublisher, unansweredResult } from '@llm/result-stream';
import { runService, type RunningService } from '@llm/service-runtime';
import { chatCompletion, createTopics, quietLogger, testInfra, testServiceSettings, uniquePrefix, waitFor } from '@llm/testing';
import { ingressConfigSchema } from '../config/ingress.config';
import { RequestIds } from './identity/request-ids';
import { RequestsModule } from './requests.module';

const infra = testInfra();
const logger = quietLogger('ingress-int');
const suffix = randomBytes(4).toString('hex');
const paid = { tenantId: `ing-paid-${suffix}`, tier: 'paid' as const, apiKey: `sk-ing-paid-${suffix}` };
const free = { tenantId: `ing-free-${suffix}`, tier: 'free' as const, apiKey: `sk-ing-free-${suffix}` };
const other = { tenantId: `ing-other-${suffix}`, tier: 'paid' as const, apiKey: `sk-ing-other-${suffix}` };

const body = (content: string, extra: Partial<ChatRequestBody> = {}): ChatRequestBody => ({ model: 'sim-small', messages: [{ role: 'user', content }], ...extra });

interface Seen {
  topic: string;
  value: string;
  headers: Record<string, string>;
}

describe('ingress (HTTP + Kafka + Redis + Postgres)', () => {
  let service: RunningService;
  let publisher: KafkaEventPublisher;
  let redis: Redis;
  const prefix = uniquePrefix('ingress');
  const seen: Seen[] = [];
  const kafka = createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'ingress-int', logger });
  const consumer = kafka.consumer({ groupId: `ingress-int-${randomUUID()}` });
  const prisma = createPrismaClient(infra.DATABASE_URL);

  const requestsFor = (tenantId: string) =>
    seen
      .filter((m) => m.topic === `${prefix}${Topics.requests}`)
      .map((m) => JSON.parse(m.value) as LlmRequestV1)
      .filter((r) => r.tenant_id === tenantId);
  const post = (path: string, payload: string, headers: Record<string, string> = {}, key = paid.apiKey) =>
    fetch(`${service.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body: payload });

  beforeAll(async () => {
    await createTopics(prefix);
    await migrate(infra.DATABASE_URL);
    for (const t of [paid, free, other]) await seedTenant(prisma, t);
    await consumer.connect();
    await consumer.subscribe({ topics: [`${prefix}${Topics.requests}`, dlqTopic(`${prefix}${Topics.inbound}`)], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        seen.push({ topic, value: message.value?.toString() ?? '', headers });
      },
    });
    const config = parseConfig(ingressConfigSchema, {
      KAFKA_BROKERS: infra.KAFKA_BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_URL: infra.REDIS_URL,
      DATABASE_URL: infra.DATABASE_URL,
      SYNC_TIMEOUT_MS: '20000',
      // The free band's budget is short so the deadline test ends quickly; the others keep the defaults.
      DEADLINE_REALTIME_FREE_S: '1',
      KAFKA_RETRY_BACKOFF_MS: '100',
    });
    service = await runService({
      name: 'ingress',
      module: (log) => RequestsModule.forRoot(config, log),
      settings: testServiceSettings(),
      kafka: config,
      groupId: `ingress-int-svc-${randomUUID()}`,
      bodyLimit: String(config.BODY_LIMIT_BYTES),
      logger,
    });
    redis = service.app.get<Redis>(REDIS);
    publisher = new KafkaEventPublisher(kafka, logger, prefix);
    await publisher.connect();
  });

  afterAll(async () => {
    await publisher?.disconnect();
    await consumer.disconnect();
    await service?.close();
    await prisma.$executeRaw`delete from request_registry where tenant_id in (${paid.tenantId}, ${free.tenantId}, ${other.tenantId})`;
    await prisma.$disconnect();
  });

  it('runs an upstream id once per tenant, however often it is sent, and refuses it with another body', async () => {
    const event: InboundRequestV1 = { request_id: 'order-1', tenant_id: paid.tenantId, priority: 'batch', body: body('summarize order 1') };
    await publisher.publish(Topics.inbound, event);
    const mine = await waitFor(() => requestsFor(paid.tenantId).find((r) => r.upstream_id === 'order-1'), { what: 'the inbound request to be accepted' });
    expect(mine.request_id).toBe(RequestIds.inbound(paid.tenantId, 'order-1'));
    expect(mine.deadline_at).toBeDefined();

    // Long after any cache TTL: the status in Redis is gone, the registry still knows the id.
    await redis.del(new TenantKeys(paid.tenantId).requestStatus(mine.request_id));
    await publisher.publish(Topics.inbound, event);
    await publisher.publish(Topics.inbound, { ...event, body: body('something expensive for free') });
    await publisher.publish(Topics.inbound, { ...event, tenant_id: other.tenantId });

    const dead = await waitFor(() => seen.find((m) => m.topic === dlqTopic(`${prefix}${Topics.inbound}`)), { what: 'the hijacking event to be dead-lettered' });
    expect(dead.headers[Headers.dlqErrorCode]).toBe('REQUEST_ID_REUSED');
    const theirs = await waitFor(() => requestsFor(other.tenantId).find((r) => r.upstream_id === 'order-1'), { what: 'the other tenant’s request' });
    expect(theirs.request_id).not.toBe(mine.request_id);
    // All four events handled: three accepted (first, replay, other tenant), one dead-lettered.
    await waitFor(
      async () => {
        const metrics = await (await fetch(`${service.url}/metrics`)).text();
        return /kafka_messages_processed_total\{[^}]*topic="[^"]*llm\.inbound\.v1"[^}]*outcome="ok"[^}]*\} 3$/m.test(metrics) ? true : undefined;
      },
      { what: 'the replay to be handled' },
    );
    expect(requestsFor(paid.tenantId).filter((r) => r.upstream_id === 'order-1')).toHaveLength(1);
  });

  it('answers bad JSON, hostile nesting and oversized bodies with stable 4xx codes', async () => {
    const notJson = await post('/v1/chat/completions', '{"model": "auto", ');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { platform_code: 'INVALID_JSON', param: null } });

    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    for (const hostile of [
      `{"model":"sim-small","messages":[{"role":"user","content":${deep}}]}`,
      `{"model":"sim-small","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"p":${deep}}}}]}`,
    ]) {
      const nested = await post('/v1/chat/completions', hostile);
      expect(nested.status).toBe(400);
      expect(await nested.json()).toMatchObject({ error: { platform_code: 'INVALID_REQUEST', code: 'invalid_request_error' } });
    }

    const huge = await post('/v1/chat/completions', JSON.stringify(body('x'.repeat(3 * 1024 * 1024))));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: { platform_code: 'BODY_TOO_LARGE' } });
  });

  it('cancels the request of a caller that hangs up while waiting, but not one sent with an Idempotency-Key (its retry may come)', async () => {
    const hangUp = async (content: string, headers: Record<string, string>) => {
      const req = httpRequest(`${service.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${paid.apiKey}`, 'content-type': 'application/json', ...headers },
      });
      req.on('error', () => undefined);
      req.end(JSON.stringify(body(content)));
      const accepted = await waitFor(() => requestsFor(paid.tenantId).find((r) => r.body.messages[0]?.content === content), { what: `${content} to be accepted` });
      req.destroy();
      return accepted.request_id;
    };
    const cancelled = async (requestId: string) => (await redis.exists(new TenantKeys(paid.tenantId).requestCancel(requestId))) === 1;
    const keyed = await hangUp(`a keyed essay ${suffix}`, { 'idempotency-key': `hangup-${suffix}` });
    const plain = await hangUp(`a plain essay ${suffix}`, {});
    await waitFor(async () => ((await cancelled(plain)) ? true : undefined), { what: 'the plain request to be cancelled' });
    expect(await cancelled(keyed)).toBe(false);
  });

  it('answers a streamed replay of a finished request from its recorded outcome after its stream expired', async () => {
    const key = `stream-replay-${suffix}`;
    const payload = JSON.stringify(body('tell me once', { stream: true }));
    const first = post('/v1/chat/completions', payload, { 'idempotency-key': key });
    const request = await waitFor(() => requestsFor(paid.tenantId).find((r) => r.request_id === RequestIds.idempotent(paid.tenantId, key)), { what: 'the request to be accepted' });
    const completion = chatCompletion('told once');
    await service.app
      .get(ResultPublisher)
      .publish(answeredResult(request, { source: 'model', model: 'sim-small', provider: 'sim', response: completion, usage: completion.usage!, cost_micros: 3, attempt: 1 }));
    expect((await first).status).toBe(200);
    await waitFor(
      async () => {
        const status = await fetch(`${service.url}/v1/requests/${request.request_id}`, { headers: { authorization: `Bearer ${paid.apiKey}` } });
        return ((await status.json()) as { status: string }).status === 'succeeded' ? true : undefined;
      },
      { what: 'the outcome to be recorded' },
    );
    await redis.del(new TenantKeys(paid.tenantId).requestStream(request.request_id));
    const replay = await post('/v1/chat/completions', payload, { 'idempotency-key': key });
    expect(replay.status).toBe(200);
    const text = await replay.text();
    expect(text).toContain('told once');
    expect(text).toContain('data: [DONE]');
  });

  it('answers a streaming request that fails before its first byte with the status a non-streaming one gets', async () => {
    const key = `stream-unknown-${suffix}`;
    const requestId = RequestIds.idempotent(paid.tenantId, key);
    // A known model (ingress refuses unknown ones itself); the pipeline then rejects it before the first byte.
    const pending = post('/v1/chat/completions', JSON.stringify(body('hi', { stream: true })), { 'idempotency-key': key });
    const request = await waitFor(() => requestsFor(paid.tenantId).find((r) => r.request_id === requestId), { what: 'the request to be accepted' });
    await service.app
      .get(ResultPublisher)
      .publish(unansweredResult(request, { status: 'rejected', attempt: 1, error: { code: 'MODEL_NOT_FOUND', message: 'no model no-such-model', retryable: false } }));
    const res = await pending;
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toMatchObject({ error: { code: 'model_not_found', platform_code: 'MODEL_NOT_FOUND', request_id: requestId } });
  });

  it('ends a wait at the request deadline and shows the request as expired', async () => {
    const res = await post('/v1/chat/completions', JSON.stringify(body('nobody will answer')), {}, free.apiKey);
    expect(res.status).toBe(504);
    const error = ((await res.json()) as { error: { platform_code: string; request_id: string } }).error;
    expect(error.platform_code).toBe('EXPIRED');
    const status = await fetch(`${service.url}/v1/requests/${error.request_id}`, { headers: { authorization: `Bearer ${free.apiKey}` } });
    expect(await status.json()).toMatchObject({ request_id: error.request_id, status: 'expired' });
  });
});
