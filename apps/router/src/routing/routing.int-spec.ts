import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Module } from '@nestjs/common';
import { BudgetStore } from '@llm/budgets';
import { parseConfig } from '@llm/config';
import { Topics, type InferenceRequestV1, type RouteRequestV1 } from '@llm/contracts';
import { DeploymentHealth } from '@llm/deployment-health';
import { createKafkaClient, KafkaEventPublisher, OnTopic } from '@llm/kafka';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';
import { ResultStreamReader } from '@llm/result-stream';
import { runService, type RunningService } from '@llm/service-runtime';
import { MetricsRegistry } from '@llm/telemetry';
import { chatCompletion, createTopics, llmRequest, quietLogger, testInfra, testServiceSettings, uniquePrefix, waitFor } from '@llm/testing';
import { routerConfigSchema } from '../config/router.config';
import type { RoutingData } from './routing-data';
import { INFERENCE_BACKLOG, ROUTING_DATA } from './routing.tokens';
import type { InferenceBacklog } from './signals/inference-backlog';

const ROOT = join(__dirname, '../../../..');
const infra = testInfra();
const logger = quietLogger('router-int');
const run = randomBytes(3).toString('hex');
const tenant = (label: string) => `router-${label}-${run}`;
// Deployment ids unique to this run: their health counters in Redis are shared by everything routed to them.
const id = (name: string) => `it${run}-${name}`;

const shipped = JSON.parse(readFileSync(join(ROOT, 'infra/catalog/models.json'), 'utf8')) as { models: Record<string, unknown>[]; [k: string]: unknown };
const base = (from: string) => shipped.models.find((m) => m.id === from)!;
const catalog = {
  ...shipped,
  models: [
    { ...base('sim-small'), id: id('small-a'), model: id('small'), escalation: { min_mean_logprob: -0.7, calibrated_on: 'spec' } },
    { ...base('sim-small'), id: id('small-b'), model: id('small'), region: 'eu', escalation: { min_mean_logprob: -0.7, calibrated_on: 'spec' } },
    { ...base('sim-medium'), id: id('medium') },
    { ...base('sim-large'), id: id('large') },
  ],
  routes: { default: [id('small'), id('medium'), id('large')] },
  aliases: { auto: 'default', smart: 'default' },
};
const policy = JSON.parse(readFileSync(join(ROOT, 'infra/routing/policy.json'), 'utf8')) as { defaults: Record<string, unknown>; tenants: Record<string, unknown> };
policy.tenants = {
  [tenant('load')]: { load: { downgrade_lag: 2, defer_lag: 2 } },
  [tenant('sick')]: { health: { min_calls: 3, max_error_rate: 0.5 } },
};

/** Stand-in for the inference workers: records what the router planned. */
const planned: InferenceRequestV1[] = [];
@Controller()
class WorkerProbe {
  @OnTopic(Topics.inference)
  async onInference(request: InferenceRequestV1): Promise<void> {
    planned.push(request);
  }
}
@Module({ controllers: [WorkerProbe] })
class WorkerProbeModule {}

describe('router (Kafka + Redis): composed policies through its consumer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'router-int-'));
  const catalogPath = join(dir, 'models.json');
  const policyPath = join(dir, 'policy.json');
  let router: RunningService;
  let probe: RunningService;
  let publisher: KafkaEventPublisher;
  let reader: ResultStreamReader;
  let redis: Redis;

  beforeAll(async () => {
    writeFileSync(catalogPath, JSON.stringify(catalog));
    writeFileSync(policyPath, JSON.stringify(policy));
    const prefix = uniquePrefix('router');
    await createTopics(prefix);
    const kafka = { ...infra, KAFKA_TOPIC_PREFIX: prefix };
    const config = parseConfig(routerConfigSchema, {
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_BROKERS: infra.KAFKA_BROKERS.join(','),
      REDIS_URL: infra.REDIS_URL,
      MODEL_CATALOG_PATH: catalogPath,
      ROUTING_POLICY_PATH: policyPath,
      COMPLEXITY_SCORER_PATH: join(ROOT, 'infra/routing/complexity-scorer.json'),
      CATALOG_RELOAD_MS: '100',
      // A group that never consumes: every message on llm.inference.v1 of this run counts as backlog.
      INFERENCE_GROUP_ID: `no-worker-${randomUUID()}`,
      INFERENCE_LAG_CACHE_MS: '50',
    });
    const { RoutingModule } = await import('./routing.module');
    router = await runService({
      name: 'router',
      module: (log) => RoutingModule.forRoot({ config, logger: log }),
      settings: testServiceSettings(),
      kafka,
      groupId: `router-int-${randomUUID()}`,
      logger,
    });
    probe = await runService({ name: 'probe', module: () => WorkerProbeModule, settings: testServiceSettings(), kafka, groupId: `probe-int-${randomUUID()}`, logger });
    publisher = new KafkaEventPublisher(createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'router-int', logger }), logger, prefix);
    await publisher.connect();
    reader = router.app.get(ResultStreamReader);
    redis = router.app.get<Redis>(REDIS);
  });

  afterAll(async () => {
    await publisher?.disconnect();
    await probe?.close();
    await router?.close();
  });

  const route = (t: string, content: string, overrides: Partial<RouteRequestV1> = {}, body: Partial<RouteRequestV1['body']> = {}): RouteRequestV1 => ({
    ...llmRequest({ tenant_id: t, body: { model: 'auto', messages: [{ role: 'user', content }], ...body } }),
    context: [],
    ...overrides,
  });
  const send = async (r: RouteRequestV1) => publisher.publish(Topics.route, r);
  const planOf = (requestId: string) => waitFor(() => planned.find((p) => p.request_id === requestId), { what: `the plan of ${requestId}` });
  const terminal = (t: string, requestId: string) => waitFor(() => reader.terminal(t, requestId), { what: `the terminal result of ${requestId}` });

  it('task type from the feature: intent goes to a small deployment marked for confidence escalation, code to the large one', async () => {
    const t = tenant('task');
    const intent = route(t, 'I want to cancel my order', { feature: 'intent' });
    const code = route(t, 'make this loop faster', { feature: 'codegen' });
    await send(intent);
    await send(code);

    const small = await planOf(intent.request_id);
    expect(small.plan).toMatchObject({ policy: 'composed-v1', task: 'intent' });
    expect(small.plan.targets[0]).toMatchObject({ tier: 'small', role: 'primary', escalate_if_mean_logprob_below: -0.7 });
    expect(small.plan.targets.find((x) => x.role === 'escalation')).toMatchObject({ model: id('medium') });
    expect(small.plan.decisions).toEqual(expect.arrayContaining([{ policy: 'task', rule: 'feature:intent', effect: 'task intent → small' }]));
    expect(small.plan.complexity).toMatchObject({ scorer: expect.stringMatching(/^complexity-/) });

    const large = await planOf(code.request_id);
    expect(large.plan.targets[0]).toMatchObject({ model: id('large'), role: 'primary' });
    expect(large.plan.targets.map((x) => x.role)).toEqual(expect.arrayContaining(['cheaper-model']));
  });

  it('the learned complexity score decides the tier of a general request sent to `smart`, with score and threshold in the plan', async () => {
    const t = tenant('complexity');
    const prompts = [
      'Statement 1 | Every group of order p^2 is abelian. Statement 2 | Every integral domain is a field.\nA. True, True\nB. False, False\nC. True, False\nD. False, True\nAnswer:',
      'hello',
    ];
    const requests = prompts.map((p) => route(t, p, {}, { model: 'smart' }));
    for (const r of requests) await send(r);
    for (const r of requests) {
      const p = (await planOf(r.request_id)).plan;
      const wanted = p.complexity!.routing_value! >= p.complexity!.threshold ? 'large' : 'small';
      expect(p.decisions!.find((d) => d.policy === 'complexity')).toEqual({
        policy: 'complexity',
        rule: `score>=${p.complexity!.threshold}`,
        score: p.complexity!.routing_value,
        effect: `→ ${wanted}`,
      });
      expect(p.targets[0]!.tier).toBe(wanted);
    }
  });

  it('access: a request whose plan allows small models only is never planned onto a larger one', async () => {
    const r = route(tenant('access'), 'make this loop faster', { feature: 'codegen', allowed_tiers: ['small'] });
    await send(r);
    const p = (await planOf(r.request_id)).plan;
    expect(p.targets.map((x) => x.tier)).toEqual(p.targets.map(() => 'small'));
    expect(p.decisions).toEqual(expect.arrayContaining([{ policy: 'access', rule: 'request:allowed_tiers', effect: 'tiers small' }]));
  });

  it('budget: a tenant past 80% of its daily budget gets small models only and its tools removed', async () => {
    const t = tenant('budget');
    await new BudgetStore(redis).publish(t, 'tenant', '', 'day', new Date(), { spentMicros: 850n, spentTokens: 0n, limitMicros: 1_000n, limitTokens: null });
    const r = route(t, 'call the weather tool for Paris', { feature: 'codegen' }, { tools: [{ type: 'function', function: { name: 'weather' } }], tool_choice: 'auto' });
    await send(r);
    const p = await planOf(r.request_id);
    expect(p.plan.targets.every((x) => x.tier === 'small')).toBe(true);
    expect(p.body.tools).toBeUndefined();
    expect(p.plan).toMatchObject({ tools_removed: true });
    expect(p.plan.decisions).toEqual(expect.arrayContaining([expect.objectContaining({ policy: 'budget', score: 0.85 })]));
    await redis.del(...(await redis.keys(`${new TenantKeys(t).prefix}*`)));
  });

  it('load, with a per-tenant override: under backlog free work is downgraded and batch work deferred; paid work is not', async () => {
    const t = tenant('load');
    const backlog = router.app.get<InferenceBacklog>(INFERENCE_BACKLOG);
    await waitFor(async () => ((await backlog.current()) ?? 0) >= 2 || undefined, { what: 'a backlog of two messages on llm.inference.v1' });

    const paid = route(t, 'x', { feature: 'codegen', priority: 'realtime-paid' });
    const free = route(t, 'x', { feature: 'codegen', priority: 'realtime-free' });
    const batch = route(t, 'x', { feature: 'codegen', priority: 'batch' });
    await Promise.all([send(paid), send(free), send(batch)]);

    expect((await planOf(paid.request_id)).plan.targets[0]!.tier).toBe('large');
    const downgraded = await planOf(free.request_id);
    expect(downgraded.plan.targets.every((x) => x.tier === 'small')).toBe(true);
    expect(downgraded.plan.decisions).toEqual(expect.arrayContaining([expect.objectContaining({ policy: 'load', rule: 'lag>=2' })]));
    expect(await terminal(t, batch.request_id)).toMatchObject({ status: 'rejected', error: { code: 'OVERLOADED', retryable: true, retry_after_s: 30 } });
    expect(planned.some((p) => p.request_id === batch.request_id)).toBe(false);
  });

  it('context window: a prompt larger than every window is refused with CONTEXT_LENGTH_EXCEEDED; unknown models and expired requests end here too', async () => {
    const t = tenant('context');
    const huge = route(t, 'word '.repeat(40_000));
    const unknown = route(t, 'x', {}, { model: 'gpt-9-ultra' });
    const late = route(t, 'x', { deadline_at: new Date(Date.now() - 1).toISOString() });
    await Promise.all([send(huge), send(unknown), send(late)]);
    expect(await terminal(t, huge.request_id)).toMatchObject({ status: 'rejected', source: 'none', error: { code: 'CONTEXT_LENGTH_EXCEEDED', retryable: false } });
    expect(await terminal(t, unknown.request_id)).toMatchObject({ status: 'rejected', error: { code: 'MODEL_NOT_FOUND' } });
    expect(await terminal(t, late.request_id)).toMatchObject({ status: 'expired', error: { code: 'EXPIRED' } });
  });

  it('hot reload: a catalog change applies without restart, and a bad edit keeps the last good catalog', async () => {
    const t = tenant('reload');
    const data = router.app.get<RoutingData>(ROUTING_DATA);
    writeFileSync(catalogPath, JSON.stringify({ ...catalog, aliases: { ...catalog.aliases, 'it-cheap': 'default' } }));
    await waitFor(() => (Object.hasOwn(data.catalog.aliases, 'it-cheap') ? true : undefined), { what: 'the new catalog' });
    const metrics = router.app.get(MetricsRegistry);

    writeFileSync(catalogPath, JSON.stringify({ ...catalog, routes: { default: ['ghost'] } }));
    await waitFor(async () => ((await metrics.render()).includes('router_config_reloads_total{file="catalog",result="invalid"') ? true : undefined), {
      what: 'the rejected reload',
    });
    const r = route(t, 'x', {}, { model: 'it-cheap' });
    await send(r);
    // The alias exists only in the reloaded catalog: without it the request would be refused as MODEL_NOT_FOUND.
    expect((await planOf(r.request_id)).plan.decisions![0]).toMatchObject({ policy: 'catalog', rule: 'default' });
    expect(await reader.terminal(t, r.request_id)).toBeUndefined();
  });

  it('health: failing deployments go last; when all are down the cached answer is served, else the degradation message', async () => {
    const t = tenant('sick');
    const at = new Date();
    // The workers count each call they make in the shared deployment health; three failed calls on small-a:
    const health = new DeploymentHealth(redis);
    const fail = async (dep: string) => {
      for (let i = 0; i < 3; i++) await health.recordOutcome(id(dep), false, at);
    };
    await fail('small-a');

    const one = route(t, 'hello', { feature: 'intent' });
    await send(one);
    const p = (await planOf(one.request_id)).plan;
    expect(p.targets[0]).toMatchObject({ model: id('small-b'), role: 'primary' });
    expect(p.targets.at(-1)!.model).toBe(id('small-a'));

    for (const dep of ['small-b', 'medium', 'large']) await fail(dep);

    const key = randomBytes(32).toString('hex');
    await redis.set(new TenantKeys(t).exactCache(key), JSON.stringify(chatCompletion('a stored answer', { model: id('small-a') })));
    const cached = route(t, 'hello', { cache_key: key });
    const uncached = route(t, 'something new', { cache_key: randomBytes(32).toString('hex') });
    await Promise.all([send(cached), send(uncached)]);
    expect(await terminal(t, cached.request_id)).toMatchObject({ status: 'succeeded', source: 'cache', fallback_used: true, fallback_step: 'cached-answer' });
    expect(await terminal(t, uncached.request_id)).toMatchObject({
      status: 'failed',
      fallback_step: 'degraded',
      error: { code: 'UNAVAILABLE', retryable: true, message: expect.stringMatching(/unavailable/) },
    });
    expect(planned.some((x) => x.request_id === cached.request_id || x.request_id === uncached.request_id)).toBe(false);
  });
});
