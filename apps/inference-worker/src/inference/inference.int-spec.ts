import { randomBytes, randomUUID } from 'node:crypto';
import { parseCatalog } from '@llm/catalog';
import { Topics, streamEvent, type InferenceRequestV1, type RouteTarget, type StreamEvent, type TopicInput, type TopicName } from '@llm/contracts';
import type { PublishOptions } from '@llm/kafka';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { createRedis, TenantKeys, type Redis } from '@llm/redis';
import { RequestCancellation, RequestNotifications, ResultPublisher } from '@llm/result-stream';
import { runService, type RunningService } from '@llm/service-runtime';
import { countTokens } from '@llm/tokens';
import { llmRequest, quietLogger, testInfra, testServiceSettings, waitFor } from '@llm/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the worker is tested against the real simulator, booted in-process like its own spec does
import { modelSimConfigSchema } from '../../../model-sim/src/config/model-sim.config';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { simulationHttpErrorMapper } from '../../../model-sim/src/simulation/simulation.errors';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import type { SimBill } from '../../../model-sim/src/simulation/sim-bill';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { SimulationModule } from '../../../model-sim/src/simulation/simulation.module';
import { ProviderCallRunner } from './calls/provider-call.runner';
import { RedisCallOutbox, RedisRequestLease } from './outbox/call-outbox';
import { OpenAiCompatibleAdapter } from './providers/openai-compatible.adapter';
import { ProviderRegistry } from './providers/provider-registry';
import { DEFAULT_POLICY_SETTINGS, InferencePolicies } from './resilience/inference-policies';
import { RunInferenceCommand } from './use-cases/run-inference/run-inference.command';
import { RunInferenceUseCase } from './use-cases/run-inference/run-inference.use-case';

const infra = testInfra();
const logger = quietLogger('worker-int');
const tenant = `wk-${randomBytes(4).toString('hex')}`;

type Bill = ReturnType<SimBill['view']>;

/** Records events like the Kafka publisher and can refuse one topic once (a broker hiccup at the worst moment). */
class FlakyEvents extends InMemoryEventPublisher {
  failOnce?: TopicName;

  override async publish<T extends TopicName>(topic: T, payload: TopicInput<T>, options?: PublishOptions): Promise<void> {
    if (this.failOnce === topic) {
      this.failOnce = undefined;
      throw new Error('Connection is closed.');
    }
    return super.publish(topic, payload, options);
  }
}

const catalog = parseCatalog({
  providers: {
    sim: { kind: 'openai-compatible', base_url: 'http://127.0.0.1:1/v1', base_url_setting: 'SIM_URL' },
    bad: { kind: 'openai-compatible', base_url: 'http://127.0.0.1:1/v1', base_url_setting: 'BAD_URL' },
  },
  models: [
    {
      id: 'good',
      provider: 'sim',
      deployment: 'sim-small',
      tier: 'small',
      context_window: 8192,
      price_in_micros_per_mtok: 1_000_000,
      price_cached_in_micros_per_mtok: 100_000,
      price_out_micros_per_mtok: 2_000_000,
    },
    { id: 'broken', provider: 'bad', deployment: 'sim-small', tier: 'small', context_window: 8192, price_in_micros_per_mtok: 1_000_000, price_out_micros_per_mtok: 2_000_000 },
  ],
  routes: { default: ['good'] },
});

const target = (id: string): RouteTarget => {
  const m = catalog.models.find((x) => x.id === id)!;
  return {
    model: m.id,
    provider: m.provider,
    deployment: m.deployment,
    price_in_micros_per_mtok: m.price_in_micros_per_mtok,
    ...(m.price_cached_in_micros_per_mtok !== undefined ? { price_cached_in_micros_per_mtok: m.price_cached_in_micros_per_mtok } : {}),
    price_out_micros_per_mtok: m.price_out_micros_per_mtok,
    timeout_ms: 10_000,
    // Short limits are for the stalling provider under test; the healthy one gets room, or a loaded CI machine
    // turns its slow first token into a spurious failure (a call billed, no usage).
    first_token_timeout_ms: id === 'good' ? 5_000 : 400,
    idle_timeout_ms: id === 'good' ? 5_000 : 400,
  };
};

const request = (mode: InferenceRequestV1['mode'], ...models: string[]): InferenceRequestV1 => ({
  ...llmRequest({ tenant_id: tenant, request_id: randomUUID(), mode, body: { model: 'auto', messages: [{ role: 'user', content: 'tell me about the weather in Oslo' }] } }),
  context: [],
  plan: { policy: 'test', reason: 'test', targets: models.map(target) },
});

async function startSim(settings: Record<string, string>): Promise<RunningService> {
  const config = modelSimConfigSchema.parse({ SIM_TTFT_MS: '5', SIM_ITL_MS: '2', ...settings });
  return runService({
    name: 'model-sim',
    module: () => SimulationModule.forRoot(config),
    settings: testServiceSettings(1_000),
    httpErrorMappers: [simulationHttpErrorMapper],
    logger,
  });
}

const billOf = async (sim: RunningService): Promise<Bill> => (await fetch(`${sim.url}/sim/bill`)).json() as Promise<Bill>;
const idle = (sim: RunningService) =>
  waitFor(async () => ((await (await fetch(`${sim.url}/sim/stats`)).json()) as { in_flight: number }).in_flight === 0 || undefined, { what: 'the simulator to finish its calls' });

describe('inference worker against model-sim and Redis', () => {
  let redis: Redis;
  let subscriber: Redis;
  let good: RunningService;
  let bad: RunningService | undefined;
  let events: FlakyEvents;
  let cancellation: RequestCancellation;

  const worker = () => {
    const settings = { SIM_URL: `${good.url}/v1`, ...(bad ? { BAD_URL: `${bad.url}/v1` } : {}) };
    const runner = new ProviderCallRunner(new OpenAiCompatibleAdapter(new ProviderRegistry(catalog, settings)), {
      firstTokenMs: 400,
      idleMs: 400,
      encodings: new Map(catalog.models.map((m) => [m.id, m.tokenizer])),
    });
    return new RunInferenceUseCase(
      runner,
      new RedisCallOutbox(redis, 600),
      new RedisRequestLease(redis),
      events,
      new ResultPublisher(redis, events),
      cancellation,
      new InferencePolicies({ ...DEFAULT_POLICY_SETTINGS, INFERENCE_LEASE_MS: 5_000, INFERENCE_LEASE_WAIT_MS: 10_000, INFERENCE_MAX_RETRIES: 0 }),
      logger,
    );
  };
  const streamOf = async (requestId: string): Promise<StreamEvent[]> =>
    (await redis.xrange(new TenantKeys(tenant).requestStream(requestId), '-', '+')).map(([, fields]) => streamEvent.parse(JSON.parse(fields[1]!)));
  const usages = (requestId: string) => events.on(Topics.usage).filter((u) => u.request_id === requestId);

  beforeAll(async () => {
    redis = createRedis(infra.REDIS_URL, logger);
    subscriber = createRedis(infra.REDIS_URL, logger, 'worker-int-subscriber');
    cancellation = new RequestCancellation(redis, new RequestNotifications(subscriber));
    good = await startSim({ SIM_CACHED_PROMPT_TOKENS: '3' });
    // Loading the tokenizer's ranks takes a second: not inside a call limited to 400 ms.
    countTokens('warm up');
  });
  beforeEach(async () => {
    events = new FlakyEvents();
    await fetch(`${good.url}/sim/bill/reset`, { method: 'POST' });
  });
  afterEach(async () => {
    await bad?.close();
    bad = undefined;
  });
  afterAll(async () => {
    await good?.close();
    redis?.disconnect();
    subscriber?.disconnect();
  });

  it('republishes the stored outcome when finishing failed, and lets only one of two racing workers call the provider', async () => {
    const req = request('sync', 'good');
    events.failOnce = Topics.results;
    await expect(worker().execute(RunInferenceCommand.create(req, 1, 5))).rejects.toThrow('Connection is closed');
    await worker().execute(RunInferenceCommand.create(req, 2, 5));
    const [call] = (await billOf(good)).calls;
    expect((await billOf(good)).calls).toHaveLength(1);
    expect(call!.call_id).toBe(`${tenant}/${req.request_id}/c1`);
    expect(usages(req.request_id).map((u) => [u.call_id, u.tokens_in, u.tokens_cached_in, u.tokens_out])).toEqual([
      ['c1', call!.prompt_tokens, 3, call!.completion_tokens],
      ['c1', call!.prompt_tokens, 3, call!.completion_tokens],
    ]);
    expect((await streamOf(req.request_id)).filter((e) => e.type === 'terminal')).toHaveLength(1);

    const raced = request('sync', 'good');
    const outcomes = await Promise.allSettled([worker().execute(RunInferenceCommand.create(raced, 1, 5)), worker().execute(RunInferenceCommand.create(raced, 1, 5))]);
    // The second waits for the first and republishes its outcome.
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
    expect((await billOf(good)).calls.filter((c) => c.call_id?.includes(raced.request_id))).toHaveLength(1);
  });

  it('leaves a stream that stalls after its headers at the first-token limit, charges its prompt, and answers from the next target', async () => {
    bad = await startSim({ SIM_FAULT_HEADERS_STALL_RATE: '1' });
    const req = request('stream', 'broken', 'good');
    await worker().execute(RunInferenceCommand.create(req, 1, 5));
    const terminal = (await streamOf(req.request_id)).at(-1);
    expect(terminal).toMatchObject({ type: 'terminal', result: { status: 'succeeded', model: 'good', fallback_used: true } });
    await idle(bad);
    const stalled = (await billOf(bad)).calls;
    expect(stalled).toEqual([expect.objectContaining({ outcome: 'aborted', completion_tokens: 0 })]);
    expect(usages(req.request_id).map((u) => [u.call_id, u.status, u.tokens_in, u.tokens_out])).toEqual([
      ['c1', 'failed', stalled[0]!.prompt_tokens, 0],
      ['c2', 'succeeded', (await billOf(good)).calls[0]!.prompt_tokens, (await billOf(good)).calls[0]!.completion_tokens],
    ]);

    // Not streamed, the body never comes: nothing is billed by the provider, so nothing is charged.
    const sync = request('sync', 'broken', 'good');
    await worker().execute(RunInferenceCommand.create(sync, 1, 5));
    await idle(bad);
    expect((await billOf(bad)).calls).toHaveLength(1);
    expect(usages(sync.request_id).map((u) => u.call_id)).toEqual(['c2']);
  });

  it('treats a stream cut without finish_reason as a failed call: reset, charged as the provider billed, answer equals the winner stream', async () => {
    bad = await startSim({ SIM_FAULT_STREAM_CUT_RATE: '1' });
    const req = request('stream', 'broken', 'good');
    await worker().execute(RunInferenceCommand.create(req, 1, 5));
    const stream = await streamOf(req.request_id);
    const resetAt = stream.findIndex((e) => e.type === 'reset');
    expect(stream[resetAt]).toEqual({ type: 'reset', call_id: 'c1', reason: 'PROVIDER_UNAVAILABLE' });
    expect(stream.slice(0, resetAt).every((e) => e.type === 'delta' && e.call_id === 'c1')).toBe(true);
    const winner = stream.slice(resetAt + 1).filter((e) => e.type === 'delta');
    expect(winner.every((e) => e.call_id === 'c2')).toBe(true);
    const terminal = stream.at(-1);
    if (terminal?.type !== 'terminal') throw new Error('no terminal event');
    expect(terminal.result.response!.choices[0]!.message.content).toBe(winner.map((e) => e.content).join(''));
    expect(terminal.result.response!.choices[0]!.finish_reason).toBe('stop');

    await idle(bad);
    const [cut] = (await billOf(bad)).calls;
    const [won] = (await billOf(good)).calls;
    expect(usages(req.request_id).map((u) => [u.status, u.tokens_estimated, u.tokens_in, u.tokens_out])).toEqual([
      ['failed', true, cut!.prompt_tokens, cut!.completion_tokens],
      ['succeeded', false, won!.prompt_tokens, won!.completion_tokens],
    ]);
    // The request costs both calls; 3 cached prompt tokens of the winner at the cached price.
    const expected =
      Math.ceil((cut!.prompt_tokens * 1_000_000 + cut!.completion_tokens * 2_000_000) / 1e6) +
      Math.ceil(((won!.prompt_tokens - 3) * 1_000_000 + 3 * 100_000 + won!.completion_tokens * 2_000_000) / 1e6);
    expect(terminal.result.cost_micros).toBe(expected);
  });

  it('counts a stream without usage with the tokenizer, exactly as the provider billed', async () => {
    bad = await startSim({ SIM_FAULT_NO_USAGE_RATE: '1' });
    const req = request('stream', 'broken');
    await worker().execute(RunInferenceCommand.create(req, 1, 5));
    const [billed] = (await billOf(bad)).calls;
    expect(usages(req.request_id)).toEqual([
      expect.objectContaining({ status: 'succeeded', tokens_estimated: true, tokens_in: billed!.prompt_tokens, tokens_out: billed!.completion_tokens }),
    ]);
  });

  it('charges nothing for a response that breaks the contract and answers from the next target', async () => {
    bad = await startSim({ SIM_FAULT_INVALID_RATE: '1' });
    const req = request('sync', 'broken', 'good');
    await worker().execute(RunInferenceCommand.create(req, 1, 5));
    expect((await streamOf(req.request_id)).at(-1)).toMatchObject({ type: 'terminal', result: { status: 'succeeded', model: 'good' } });
    expect(usages(req.request_id).map((u) => u.call_id)).toEqual(['c2']);
  });

  it('stops a running call when the caller cancels, charges what was consumed, and ends the request as cancelled', async () => {
    bad = await startSim({ SIM_ITL_MS: '150' });
    const req = request('stream', 'broken');
    const running = worker().execute(RunInferenceCommand.create(req, 1, 5));
    await waitFor(async () => ((await streamOf(req.request_id)).some((e) => e.type === 'delta') ? true : undefined), { what: 'the first delta' });
    await cancellation.cancel(tenant, req.request_id);
    await running;
    expect((await streamOf(req.request_id)).at(-1)).toMatchObject({ type: 'terminal', result: { status: 'cancelled', error: { code: 'CANCELLED' } } });
    await idle(bad);
    const [billed] = (await billOf(bad)).calls;
    expect(billed).toMatchObject({ outcome: 'aborted' });
    expect(usages(req.request_id)).toEqual([expect.objectContaining({ status: 'cancelled', tokens_in: billed!.prompt_tokens, tokens_out: billed!.completion_tokens })]);
  });
});
