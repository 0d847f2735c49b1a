import { randomBytes, randomUUID } from 'node:crypto';
import type { LlmResultV1 } from '@llm/contracts';
import { Topics } from '@llm/contracts';
import { parseConfig } from '@llm/config';
import { createKafkaClient, KafkaEventPublisher } from '@llm/kafka';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';
import { runService, type RunningService } from '@llm/service-runtime';
import { createTopics, llmResult, quietLogger, testInfra, testServiceSettings, uniquePrefix, waitFor } from '@llm/testing';
import { evaluatorConfigSchema } from '../config/evaluator.config';
import { evaluatorHttpErrorMapper } from './evaluation.errors';
import { EvaluationModule } from './evaluation.module';

const ADMIN = 'int-admin-token-0123456789';
const infra = testInfra();
const logger = quietLogger('evaluator-int');
const tenant = `eval-${randomBytes(4).toString('hex')}`;
const requestIds: string[] = [];

function result(overrides: Partial<LlmResultV1>, content: string): LlmResultV1 {
  const r = llmResult({ tenant_id: tenant, ...overrides }, content);
  requestIds.push(r.request_id);
  return r;
}

describe('evaluator (Kafka + Redis + HTTP)', () => {
  let service: RunningService;
  let publisher: KafkaEventPublisher;

  const summary = (tenantId: string, token = ADMIN) =>
    fetch(`${service.url}/v1/evaluations/summary?tenant_id=${encodeURIComponent(tenantId)}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    const prefix = uniquePrefix('eval');
    await createTopics(prefix);
    service = await runService({
      name: 'evaluator',
      module: () => EvaluationModule.forRoot({ config: parseConfig(evaluatorConfigSchema, { REDIS_URL: infra.REDIS_URL, ADMIN_TOKEN: ADMIN }), logger }),
      settings: testServiceSettings(),
      kafka: { ...infra, KAFKA_TOPIC_PREFIX: prefix },
      groupId: `evaluator-int-${randomUUID()}`,
      httpErrorMappers: [evaluatorHttpErrorMapper],
      logger,
    });
    publisher = new KafkaEventPublisher(createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'evaluator-int', logger }), logger, prefix);
    await publisher.connect();
  });

  afterAll(async () => {
    await publisher?.disconnect();
    if (service) {
      const redis = service.app.get<Redis>(REDIS);
      const { prefix } = new TenantKeys(tenant);
      await redis.del(`${prefix}eval:counts`, ...requestIds.map((id) => `${prefix}eval:seen:${id}`));
      await service.close();
    }
  });

  it('counts each result once, even when it is delivered twice', async () => {
    const first = result({}, '{"answer": 42}');
    const second = result({ source: 'cache', latency_ms: 5, cost_micros: 0 }, 'plain text');
    await publisher.publish(Topics.results, first);
    await publisher.publish(Topics.results, second);
    await publisher.publish(Topics.results, first);

    // Wait until the duplicate has been seen (and refused), not only until two results were counted.
    await waitFor(
      async () => {
        const metrics = await (await fetch(`${service.url}/metrics`)).text();
        return /^evaluator_duplicate_results_total\{[^}]*\} 1$/m.test(metrics) ? true : undefined;
      },
      { what: 'the duplicate result to be consumed' },
    );
    const res = await summary(tenant);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      tenant_id: tenant,
      counters: {
        total: 2,
        'status:succeeded': 2,
        'source:model': 1,
        'source:cache': 1,
        'model:sim-small': 2,
        latency_ms_sum: 45,
        cost_micros_sum: 120,
      },
    });
  });

  it('refuses a missing or wrong admin token with 401', async () => {
    expect((await summary(tenant, 'wrong-token-0123456789')).status).toBe(401);
    const res = await fetch(`${service.url}/v1/evaluations/summary?tenant_id=${tenant}`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { platform_code: 'ADMIN_UNAUTHORIZED', code: 'invalid_api_key' } });
  });

  it('refuses an invalid tenant id with 400', async () => {
    const res = await summary('Not:A-Tenant');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { platform_code: 'INVALID_REQUEST' } });
  });
});
