import { randomBytes, randomUUID } from 'node:crypto';
import { parseCatalog } from '@llm/catalog';
import { DEFAULT_CACHE_POLICY, ExactCacheReader } from '@llm/cache-key';
import { streamEvent, Topics, type InferenceRequestV1, type RouteTarget, type StreamEvent } from '@llm/contracts';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { createRedis, TenantKeys, type Redis } from '@llm/redis';
import { RequestCancellation, RequestNotifications, ResultPublisher } from '@llm/result-stream';
import { runService, type RunningService } from '@llm/service-runtime';
import { MetricsRegistry } from '@llm/telemetry';
import { countTokens } from '@llm/tokens';
import { chatCompletion, llmRequest, quietLogger, testInfra, testServiceSettings } from '@llm/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the worker is tested against the real simulator, booted in-process like its own spec does
import { modelSimConfigSchema } from '../../../../model-sim/src/config/model-sim.config';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { simulationHttpErrorMapper } from '../../../../model-sim/src/simulation/simulation.errors';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import type { SimBill } from '../../../../model-sim/src/simulation/sim-bill';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { SimulationModule } from '../../../../model-sim/src/simulation/simulation.module';
import { ProviderCallRunner } from '../calls/provider-call.runner';
import { RedisCallOutbox, RedisRequestLease } from '../outbox/call-outbox';
import { OpenAiCompatibleAdapter } from '../providers/openai-compatible.adapter';
import { ProviderRegistry } from '../providers/provider-registry';
import { RunInferenceCommand } from '../use-cases/run-inference/run-inference.command';
import { RunInferenceUseCase } from '../use-cases/run-inference/run-inference.use-case';
import { CircuitBreakers } from './circuit-breakers';
import { DeploymentLimiter, type DeploymentLimits } from './deployment-limiter';
import { GuardedCallRunner } from './guarded-call.runner';
import { DEFAULT_POLICY_SETTINGS, InferencePolicies, type PolicySettings } from './inference-policies';

/**
 * Issue 10 acceptance for the worker's resilience, against real model-sim servers (over HTTP, through the
 * openai SDK) and real Redis: a rate-limited primary, shared limits across two workers, an outage of every
 * deployment, a stalled stream and invalid JSON.
 */
const infra = testInfra();
const logger = quietLogger('resilience-int');
const tenant = `rs-${randomBytes(4).toString('hex')}`;
type Bill = ReturnType<SimBill['view']>;

const model = (id: string, provider: string) => ({
  id,
  provider,
  deployment: `${id}-${randomBytes(3).toString('hex')}`,
  tier: 'small' as const,
  context_window: 8192,
  price_in_micros_per_mtok: 1_000_000,
  price_out_micros_per_mtok: 2_000_000,
});
const PROVIDERS = ['primary', 'secondary', 'down'] as const;
const catalog = parseCatalog({
  providers: Object.fromEntries(PROVIDERS.map((p) => [p, { kind: 'openai-compatible', base_url: 'http://127.0.0.1:1/v1', base_url_setting: `${p.toUpperCase()}_URL` }])),
  models: [model('primary', 'primary'), model('secondary', 'secondary'), model('down-a', 'down'), model('down-b', 'down')],
  routes: { default: ['primary', 'secondary'] },
});

const target = (id: string): RouteTarget => {
  const m = catalog.models.find((x) => x.id === id)!;
  return {
    model: m.id,
    provider: m.provider,
    deployment: m.deployment,
    price_in_micros_per_mtok: 1_000_000,
    price_out_micros_per_mtok: 2_000_000,
    timeout_ms: 10_000,
    first_token_timeout_ms: 500,
    idle_timeout_ms: 500,
  };
};

const request = (mode: InferenceRequestV1['mode'], models: string[], overrides: Partial<InferenceRequestV1> = {}): InferenceRequestV1 => ({
  ...llmRequest({ tenant_id: tenant, request_id: randomUUID(), mode, body: { model: 'auto', messages: [{ role: 'user', content: 'tell me about the weather in Oslo' }] } }),
  context: [],
  plan: { policy: 'test', reason: 'test', targets: models.map(target) },
  ...overrides,
});

/** A plan whose calls may take their time: these tests hold calls open on purpose, on a machine that may be busy. */
const patient = (...models: string[]): Partial<InferenceRequestV1> => ({
  plan: { policy: 'test', reason: 'test', targets: models.map((m) => ({ ...target(m), first_token_timeout_ms: 5_000, idle_timeout_ms: 5_000 })) },
});

async function startSim(settings: Record<string, string> = {}): Promise<RunningService> {
  const config = modelSimConfigSchema.parse({ SIM_TTFT_MS: '5', SIM_ITL_MS: '2', SIM_MODELS: catalog.models.map((m) => m.deployment).join(','), ...settings });
  return runService({
    name: 'model-sim',
    module: () => SimulationModule.forRoot(config),
    settings: testServiceSettings(1_000),
    httpErrorMappers: [simulationHttpErrorMapper],
    logger,
  });
}

function renew(id: string): void {
  const m = catalog.models.find((x) => x.id === id)!;
  m.deployment = `${id}-${randomBytes(3).toString('hex')}`;
}

const statsOf = async (sim: RunningService) => (await (await fetch(`${sim.url}/sim/stats`)).json()) as { requests: number; faults: Record<string, number> };
const billOf = async (sim: RunningService): Promise<Bill> => (await fetch(`${sim.url}/sim/bill`)).json() as Promise<Bill>;

describe('inference worker resilience against model-sim and Redis (issue 10)', () => {
  let redis: Redis;
  let subscriber: Redis;
  let cancellation: RequestCancellation;
  const sims: Partial<Record<(typeof PROVIDERS)[number], RunningService>> = {};
  let events: InMemoryEventPublisher;
  let limits: Record<string, DeploymentLimits>;

  /** One worker instance: its own breakers and retry budget, the shared Redis limits. */
  const worker = (options: { policies?: Partial<PolicySettings>; breakers?: CircuitBreakers; limitWaitMs?: number; cooldownMinRetryAfterS?: number } = {}) => {
    const urls = Object.fromEntries(PROVIDERS.map((p) => [`${p.toUpperCase()}_URL`, sims[p] ? `${sims[p].url}/v1` : 'http://127.0.0.1:1/v1']));
    const runner = new ProviderCallRunner(new OpenAiCompatibleAdapter(new ProviderRegistry(catalog, urls)), {
      firstTokenMs: 500,
      idleMs: 500,
      encodings: new Map(catalog.models.map((m) => [m.id, m.tokenizer])),
    });
    const breakers = options.breakers ?? new CircuitBreakers({ threshold: 0.5, windowMs: 60_000, minCalls: 5, halfOpenMs: 60_000 });
    const limiter = new DeploymentLimiter(redis, (t) => limits[t.model], { waitMs: options.limitWaitMs ?? 0, batchWaitMs: 0, batchConcurrencyShare: 0.5 });
    const policies = new InferencePolicies(
      { ...DEFAULT_POLICY_SETTINGS, INFERENCE_LEASE_MS: 5_000, INFERENCE_LEASE_WAIT_MS: 10_000, INFERENCE_RETRY_BASE_MS: 20, ...options.policies },
      new ExactCacheReader(redis, DEFAULT_CACHE_POLICY),
    );
    return new RunInferenceUseCase(
      new GuardedCallRunner(runner, breakers, limiter, { defaultOutputTokens: 64, cooldownMinRetryAfterS: options.cooldownMinRetryAfterS ?? 5 }),
      new RedisCallOutbox(redis, 600),
      new RedisRequestLease(redis),
      events,
      new ResultPublisher(redis, events),
      cancellation,
      policies,
      logger,
    );
  };
  const streamOf = async (requestId: string): Promise<StreamEvent[]> =>
    (await redis.xrange(new TenantKeys(tenant).requestStream(requestId), '-', '+')).map(([, fields]) => streamEvent.parse(JSON.parse(fields[1]!)));
  const resultOf = async (requestId: string) => {
    const terminal = (await streamOf(requestId)).at(-1);
    if (terminal?.type !== 'terminal') throw new Error(`request ${requestId} has no terminal event`);
    return terminal.result;
  };
  const usages = (requestId: string) => events.on(Topics.usage).filter((u) => u.request_id === requestId);

  beforeAll(async () => {
    redis = createRedis(infra.REDIS_URL, logger);
    subscriber = createRedis(infra.REDIS_URL, logger, 'resilience-int-subscriber');
    cancellation = new RequestCancellation(redis, new RequestNotifications(subscriber));
    sims.secondary = await startSim();
    countTokens('warm up');
  });
  beforeEach(() => {
    events = new InMemoryEventPublisher();
    limits = {};
    // Fresh deployment names: no test meets another's breaker, cooldown or limit windows.
    for (const id of ['primary', 'down-a', 'down-b']) renew(id);
  });
  afterEach(async () => {
    for (const p of ['primary', 'down'] as const) {
      await sims[p]?.close();
      delete sims[p];
    }
  });
  afterAll(async () => {
    await sims.secondary?.close();
    redis?.disconnect();
    subscriber?.disconnect();
  });

  it('moves traffic off a primary that answers 429 to the secondary, and opens the primary breaker so it stops being called', async () => {
    sims.primary = await startSim({ SIM_FAULT_429_RATE: '1' });
    const metrics = new MetricsRegistry('resilience-int', { defaultMetrics: false });
    const breakers = new CircuitBreakers({ threshold: 0.5, windowMs: 60_000, minCalls: 5, halfOpenMs: 60_000 }, metrics);
    const run = worker({ breakers });
    const requests = Array.from({ length: 12 }, () => request('sync', ['primary', 'secondary']));
    for (const req of requests) await run.execute(RunInferenceCommand.create(req, 1, 5));

    for (const req of requests) expect(await resultOf(req.request_id)).toMatchObject({ status: 'succeeded', model: 'secondary', fallback_used: true });
    expect(breakers.state(target('primary'))).toBe('open');
    // Only the calls before the breaker opened reached the primary: the minimum volume, all failed.
    expect((await statsOf(sims.primary)).requests).toBe(5);
    const rendered = await metrics.render();
    expect(rendered).toMatch(new RegExp(`inference_circuit_state\\{deployment="primary/${target('primary').deployment}"[^}]*\\} 1`));
    // 429s bill nothing: the requests are charged for their secondary answers only.
    for (const req of requests.slice(0, 3)) expect(usages(req.request_id).map((u) => u.model)).toEqual(['secondary']);
  });

  it('shares a deployment concurrency and RPM across worker instances: the overflow moves to the next target instead of queueing at the provider', async () => {
    sims.primary = await startSim({ SIM_TTFT_MS: '400' });
    limits = { primary: { concurrency: 2 } };
    const [a, b] = [worker(), worker()];
    const burst = Array.from({ length: 6 }, () => request('sync', ['primary', 'secondary'], patient('primary', 'secondary')));
    await Promise.all(burst.map((req, i) => (i % 2 ? a : b).execute(RunInferenceCommand.create(req, 1, 5))));
    const served = await Promise.all(burst.map(async (req) => (await resultOf(req.request_id)).model));
    expect(served.filter((m) => m === 'primary')).toHaveLength(2);
    expect(served.filter((m) => m === 'secondary')).toHaveLength(4);
    expect((await statsOf(sims.primary)).requests).toBe(2);
    // Every permit was returned: the next call finds the slots free.
    const next = request('sync', ['primary', 'secondary'], patient('primary', 'secondary'));
    await a.execute(RunInferenceCommand.create(next, 1, 5));
    expect((await resultOf(next.request_id)).model).toBe('primary');

    // Batch-band calls may hold half the slots: realtime calls always find one.
    const batch = Array.from({ length: 4 }, () => request('sync', ['primary', 'secondary'], { priority: 'batch', ...patient('primary', 'secondary') }));
    await Promise.all(batch.map((req, i) => (i % 2 ? a : b).execute(RunInferenceCommand.create(req, 1, 5))));
    expect((await Promise.all(batch.map(async (req) => (await resultOf(req.request_id)).model))).filter((m) => m === 'primary')).toHaveLength(1);

    await sims.primary.close();
    renew('primary');
    sims.primary = await startSim();
    limits = { primary: { rpm: 3 } };
    const [c, d] = [worker(), worker()];
    const sequence = Array.from({ length: 5 }, () => request('sync', ['primary', 'secondary']));
    for (const [i, req] of sequence.entries()) await (i % 2 ? c : d).execute(RunInferenceCommand.create(req, 1, 5));
    expect(await Promise.all(sequence.map(async (req) => (await resultOf(req.request_id)).model))).toEqual(['primary', 'primary', 'primary', 'secondary', 'secondary']);
  });

  it('reserves tokens per minute before each call, across workers: a call that would pass the tokens left this minute moves on', async () => {
    sims.primary = await startSim();
    const body = { model: 'auto', max_tokens: 20, messages: [{ role: 'user' as const, content: 'tell me about the weather in Oslo' }] };
    // What one such call really uses, as the provider reports it: one calibration call on the primary itself, made
    // before its limit is set (model-sim's answer length depends on the model, and deployment names are per run).
    const calibration = request('sync', ['primary'], { body });
    await worker().execute(RunInferenceCommand.create(calibration, 1, 5));
    const used = usages(calibration.request_id)[0]!.tokens_in + usages(calibration.request_id)[0]!.tokens_out;
    // A call reserves ceil(33 characters / 4) + 20 = 29 tokens, then is corrected to what it used: a minute of
    // `used + 28` tokens holds the first call and leaves too little for another reservation.
    limits = { primary: { tpm: used + 28 } };
    const [a, b] = [worker(), worker()];
    const calls = Array.from({ length: 3 }, () => request('sync', ['primary', 'secondary'], { body }));
    for (const [i, req] of calls.entries()) await (i % 2 ? a : b).execute(RunInferenceCommand.create(req, 1, 5));
    // The calibration call and the first of the three.
    expect((await billOf(sims.primary)).calls).toHaveLength(2);
    expect(await Promise.all(calls.map(async (req) => (await resultOf(req.request_id)).model))).toEqual(['primary', 'secondary', 'secondary']);
  });

  it('keeps every worker off a deployment that asked for quiet with Retry-After, without counting that against its breaker', async () => {
    sims.primary = await startSim({ SIM_FAULT_429_RATE: '1' });
    const breakers = new CircuitBreakers({ threshold: 0.5, windowMs: 60_000, minCalls: 2, halfOpenMs: 60_000 });
    const [a, b] = [worker({ cooldownMinRetryAfterS: 1 }), worker({ cooldownMinRetryAfterS: 1, breakers })];
    const first = request('sync', ['primary', 'secondary']);
    await a.execute(RunInferenceCommand.create(first, 1, 5));
    // model-sim's 429 says Retry-After: 1. Another worker now leaves the primary alone for that second.
    const next = Array.from({ length: 4 }, () => request('sync', ['primary', 'secondary']));
    for (const req of next) await b.execute(RunInferenceCommand.create(req, 1, 5));
    for (const req of [first, ...next]) expect((await resultOf(req.request_id)).model).toBe('secondary');
    expect((await statsOf(sims.primary)).requests).toBe(1);
    expect(breakers.state(target('primary'))).toBe('closed');
  });

  it('answers within the deadline when every deployment is down: the exact cache if it holds the answer, else a degradation error, never a hang', async () => {
    sims.down = await startSim({ SIM_FAULT_500_RATE: '1' });
    const deadline = new Date(Date.now() + 8_000).toISOString();
    const req = request('sync', ['down-a', 'down-b'], { deadline_at: deadline });
    await worker().execute(RunInferenceCommand.create(req, 1, 5));
    const degraded = await resultOf(req.request_id);
    expect(degraded).toMatchObject({ status: 'failed', error: { code: 'MODELS_UNAVAILABLE', retryable: true } });
    expect(Date.parse(degraded.completed_at)).toBeLessThan(Date.parse(deadline));
    // The first round and INFERENCE_MAX_RETRIES (2) more, over both deployments: 6 calls, none billed.
    expect((await statsOf(sims.down)).requests).toBe(6);

    // The same question, while the exact cache holds its answer (stored by the cache service after an earlier success).
    const cached = request('sync', ['down-a', 'down-b'], {
      deadline_at: deadline,
      body: { model: 'auto', temperature: 0, messages: [{ role: 'user', content: 'what is 2 + 2?' }] },
    });
    const key = new ExactCacheReader(redis, DEFAULT_CACHE_POLICY).keyFor(cached)!;
    await redis.set(new TenantKeys(tenant).exactCache(key), JSON.stringify(chatCompletion('4')), 'EX', 60);
    await worker().execute(RunInferenceCommand.create(cached, 1, 5));
    const answered = await resultOf(cached.request_id);
    expect(answered).toMatchObject({ status: 'succeeded', source: 'cache', fallback_used: true, cache_hit: { kind: 'exact' } });
    expect(answered.response!.choices[0]!.message.content).toBe('4');
    expect(usages(cached.request_id).map((u) => [u.call_id, u.cost_micros])).toEqual([['cache', 0]]);
  });

  it('cancels a stream that stalls after its first tokens and retries it on the next target: reset, each call charged once', async () => {
    sims.primary = await startSim({ SIM_FAULT_STALL_RATE: '1' });
    const req = request('stream', ['primary', 'secondary']);
    await worker().execute(RunInferenceCommand.create(req, 1, 5));
    const stream = await streamOf(req.request_id);
    const resetAt = stream.findIndex((e) => e.type === 'reset');
    expect(stream[resetAt]).toEqual({ type: 'reset', call_id: 'c1', reason: 'PROVIDER_TIMEOUT' });
    expect(stream.slice(0, resetAt).length).toBeGreaterThan(0);
    expect(stream.slice(0, resetAt).every((e) => e.type === 'delta' && e.call_id === 'c1')).toBe(true);
    const result = await resultOf(req.request_id);
    expect(result).toMatchObject({ status: 'succeeded', model: 'secondary', fallback_used: true });
    const [stalled] = (await billOf(sims.primary)).calls;
    expect(stalled).toMatchObject({ outcome: 'aborted' });
    expect(usages(req.request_id).map((u) => [u.call_id, u.status, u.tokens_out])).toEqual([
      ['c1', 'failed', stalled!.completion_tokens],
      ['c2', 'succeeded', expect.any(Number)],
    ]);
  });

  it('asks again with the validation error when the JSON is invalid, then fails with STRUCTURED_OUTPUT_INVALID, charging every call', async () => {
    sims.primary = await startSim({ SIM_FAULT_INVALID_JSON_RATE: '1' });
    const req = request('sync', ['primary', 'secondary'], {
      body: { model: 'auto', messages: [{ role: 'user', content: 'the weather in Oslo as JSON' }], response_format: { type: 'json_object' } },
    });
    await worker().execute(RunInferenceCommand.create(req, 1, 5));
    expect(await resultOf(req.request_id)).toMatchObject({ status: 'failed', model: 'primary', error: { code: 'STRUCTURED_OUTPUT_INVALID', retryable: false } });
    const calls = (await billOf(sims.primary)).calls.filter((c) => c.call_id?.includes(req.request_id));
    expect(calls).toHaveLength(1 + DEFAULT_POLICY_SETTINGS.INFERENCE_JSON_RETRIES);
    // Each retry carries the rejected answer and the reason: a longer prompt every time.
    expect(calls[1]!.prompt_tokens).toBeGreaterThan(calls[0]!.prompt_tokens);
    expect(calls[2]!.prompt_tokens).toBeGreaterThan(calls[1]!.prompt_tokens);
    expect(usages(req.request_id).map((u) => [u.call_id, u.tokens_in])).toEqual(calls.map((c, i) => [`c${i + 1}`, c.prompt_tokens]));
    // The secondary is never asked: the model answered, it just answered wrongly.
    expect((await billOf(sims.secondary!)).calls.filter((c) => c.call_id?.includes(req.request_id))).toEqual([]);

    // The same model with valid JSON (no fault) passes on its first answer.
    const ok = request('sync', ['secondary'], { body: req.body });
    await worker().execute(RunInferenceCommand.create(ok, 1, 5));
    expect(await resultOf(ok.request_id)).toMatchObject({ status: 'succeeded', model: 'secondary' });
    expect(usages(ok.request_id)).toHaveLength(1);
  });
});
