import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvaluationV1, InboundRequestV1, LlmResultV1 } from '@llm/contracts';
import { Topics } from '@llm/contracts';
import { parseConfig } from '@llm/config';
import { migrate } from '@llm/db';
import { createKafkaClient, KafkaEventPublisher } from '@llm/kafka';
import { Client } from 'pg';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';
import { runService, type RunningService } from '@llm/service-runtime';
import { createTopics, llmRequest, llmResult, quietLogger, testInfra, testServiceSettings, uniquePrefix, waitFor } from '@llm/testing';
import { evaluatorConfigSchema } from '../config/evaluator.config';
import { evaluatorHttpErrorMapper } from './evaluation.errors';
import { EvaluationModule } from './evaluation.module';
import { judgeUpstreamId } from './judges/llm-judge.prompt';

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

describe('evaluator (Kafka + Redis + Postgres + HTTP)', () => {
  let service: RunningService;
  let publisher: KafkaEventPublisher;
  let db: Client;
  const prefix = uniquePrefix('eval');
  const reportsDir = mkdtempSync(join(tmpdir(), 'evaluator-int-reports-'));
  const kafka = createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'evaluator-int-reader', logger });
  const inboundReader = kafka.consumer({ groupId: `evaluator-int-reader-${randomUUID()}` });
  const inbound: Array<{ partition: number; event: InboundRequestV1 }> = [];
  const evaluations: EvaluationV1[] = [];

  const verdicts = async (tenantId: string, requestId: string) =>
    (
      await db.query<{ judge: string; passed: boolean; score: number; model: string | null; feature: string | null }>(
        'select judge, passed, score, model, feature from evaluations where tenant_id = $1 and request_id = $2 order by judge',
        [tenantId, requestId],
      )
    ).rows;
  const metric = async (pattern: RegExp) => pattern.test(await (await fetch(`${service.url}/metrics`)).text());

  const summary = (tenantId: string, token = ADMIN) =>
    fetch(`${service.url}/v1/evaluations/summary?tenant_id=${encodeURIComponent(tenantId)}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    await createTopics(prefix);
    await migrate(infra.DATABASE_URL);
    db = new Client({ connectionString: infra.DATABASE_URL });
    await db.connect();
    await inboundReader.connect();
    await inboundReader.subscribe({ topics: [`${prefix}${Topics.inbound}`, `${prefix}${Topics.evaluations}`], fromBeginning: true });
    await inboundReader.run({
      eachMessage: async ({ topic, partition, message }) => {
        const value = JSON.parse(message.value!.toString()) as unknown;
        if (topic.endsWith(Topics.inbound)) inbound.push({ partition, event: value as InboundRequestV1 });
        else evaluations.push(value as EvaluationV1);
      },
    });
    const config = parseConfig(evaluatorConfigSchema, {
      REDIS_URL: infra.REDIS_URL,
      DATABASE_URL: infra.DATABASE_URL,
      ADMIN_TOKEN: ADMIN,
      EVAL_SAMPLE_RATE: '1',
      EVAL_REPORTS_DIR: reportsDir,
    });
    service = await runService({
      name: 'evaluator',
      module: () => EvaluationModule.forRoot({ config, logger }),
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
    rmSync(reportsDir, { recursive: true, force: true });
    await inboundReader.disconnect();
    await db?.query('delete from evaluations where tenant_id = $1', [tenant]);
    await db?.query('delete from evaluation_samples where tenant_id = $1', [tenant]);
    await db?.end();
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

  it('judges a sampled RAG exchange whichever half arrives first, and asks the LLM judge through the platform in the batch band', async () => {
    const context = [
      { document_id: 'doc-paris', chunk_id: 'c-eiffel', text: 'The Eiffel Tower was completed in 1889 as the entrance arch of the World Fair in Paris.', score: 0.9 },
    ];
    const answer = result({ feature: 'rag-qa' }, 'The Eiffel Tower was completed in 1889 [1].');
    const request = llmRequest({ request_id: answer.request_id, tenant_id: tenant, feature: 'rag-qa', rag: { collection: 'docs', top_k: 3 } });
    // The result first: the join must wait for the request half, then judge once.
    await publisher.publish(Topics.results, answer);
    await waitFor(async () => ((await verdicts(tenant, answer.request_id)).some((v) => v.judge === 'latency') ? true : undefined), { what: 'the result-only verdicts' });
    await publisher.publish(Topics.inference, {
      ...request,
      body: { model: 'auto', messages: [{ role: 'user', content: 'When was the Eiffel Tower completed?' }] },
      context,
      plan: {
        policy: 'catalog-chain',
        reason: 'route default',
        targets: [{ model: 'sim-small', provider: 'sim', deployment: 'sim-small', price_in_micros_per_mtok: 1, price_out_micros_per_mtok: 1, timeout_ms: 1000 }],
      },
    });
    const judged = await waitFor(
      async () => {
        const rows = await verdicts(tenant, answer.request_id);
        return rows.some((v) => v.judge === 'grounding_lexical') ? rows : undefined;
      },
      { what: 'the grounding verdicts' },
    );
    expect(judged.map((v) => [v.judge, v.passed])).toEqual([
      ['cost', true],
      ['grounding_lexical', true],
      ['latency', true],
      ['refusal', true],
    ]);
    expect(judged.every((v) => v.feature === 'rag-qa' && v.model === 'sim-small')).toBe(true);

    // The LLM judge's request: the platform's judge tenant, batch priority, on llm.inbound.v1 (batch band at ingress).
    const sent = await waitFor(() => inbound.find((m) => m.event.request_id === judgeUpstreamId(tenant, answer.request_id)), { what: 'the LLM judge request on llm.inbound.v1' });
    expect(sent.event).toMatchObject({ tenant_id: 'platform-evaluator', priority: 'batch', feature: 'llm-judge', body: { response_format: { type: 'json_object' } } });
    expect(JSON.stringify(sent.event.body.messages)).toContain('[1] The Eiffel Tower was completed in 1889');

    // Its answer comes back as a result of the judge tenant; a forged one from another tenant is ignored.
    await publisher.publish(
      Topics.results,
      llmResult({ tenant_id: 'someone-else', upstream_id: judgeUpstreamId(tenant, answer.request_id) }, '{"score": 0.1, "supported": false}'),
    );
    await publisher.publish(
      Topics.results,
      llmResult({ tenant_id: 'platform-evaluator', upstream_id: judgeUpstreamId(tenant, answer.request_id) }, '{"score": 0.9, "supported": true}'),
    );
    const llm = await waitFor(async () => (await verdicts(tenant, answer.request_id)).find((v) => v.judge === 'grounding_llm'), { what: 'the LLM judge verdict' });
    expect(llm).toMatchObject({ passed: true, score: 0.9, model: 'sim-small' });
    expect(await metric(/^evaluator_llm_judge_results_total\{outcome="foreign"[^}]*\} 1$/m)).toBe(true);
  });

  it('publishes every verdict on llm.evaluations.v1 and keeps one row per judge when a result is redelivered', async () => {
    const r = result({}, '{"answer": 1}');
    await publisher.publish(Topics.results, r);
    await publisher.publish(Topics.results, r);
    await waitFor(async () => ((await verdicts(tenant, r.request_id)).length === 3 ? true : undefined), { what: 'three verdicts' });
    await waitFor(async () => ((await metric(/^evaluator_duplicate_results_total\{[^}]*\} 2$/m)) ? true : undefined), { what: 'the redelivery to be consumed' });
    expect((await verdicts(tenant, r.request_id)).map((v) => v.judge)).toEqual(['cost', 'json_validity', 'latency']);
    // On the topic a redelivery repeats the same evaluation ids, so consumers can drop the repeat.
    const published = await waitFor(
      () => {
        const mine = evaluations.filter((e) => e.request_id === r.request_id);
        return mine.length === 6 ? mine : undefined;
      },
      { what: 'the verdicts on llm.evaluations.v1' },
    );
    expect(new Set(published.map((e) => e.evaluation_id)).size).toBe(3);
    expect(published.every((e) => e.tenant_id === tenant)).toBe(true);
  });

  it("builds an online report of a tenant's verdicts and serves it under /reports, to the admin only", async () => {
    const auth = { authorization: `Bearer ${ADMIN}` };
    const res = await fetch(`${service.url}/v1/reports/online?tenant_id=${tenant}&hours=1`, { method: 'POST', headers: auth });
    expect(res.status).toBe(201);
    const { run_id, url } = (await res.json()) as { run_id: string; url: string };
    const page = await fetch(`${service.url}${url}`, { headers: auth });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const report = (await (await fetch(`${service.url}/reports/${run_id}/report.json`, { headers: auth })).json()) as {
      kind: string;
      rows: Array<{ scores: Record<string, unknown> }>;
    };
    expect(report.kind).toBe('online');
    expect(report.rows.some((r) => 'grounding_llm' in r.scores && 'grounding_lexical' in r.scores)).toBe(true);
    expect((await fetch(`${service.url}${url}`)).status).toBe(401);
    expect((await fetch(`${service.url}/v1/reports/online?tenant_id=${tenant}&hours=0`, { method: 'POST', headers: auth })).status).toBe(400);
    expect((await fetch(`${service.url}/reports/no-such-run/index.html`, { headers: auth })).status).toBe(404);
  });
});
