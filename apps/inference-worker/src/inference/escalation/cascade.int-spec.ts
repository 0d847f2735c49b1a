import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCatalog } from '@llm/catalog';
import { Topics, type InferenceRequestV1, type RouteTarget } from '@llm/contracts';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { createRedis, type Redis } from '@llm/redis';
import { RequestCancellation, RequestNotifications, ResultPublisher } from '@llm/result-stream';
import { AnswerCheck } from '@llm/routing-scorer';
import { runService, type RunningService } from '@llm/service-runtime';
import { countTokens } from '@llm/tokens';
import { llmRequest, quietLogger, testInfra, testServiceSettings } from '@llm/testing';
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
import { DEFAULT_POLICY_SETTINGS, InferencePolicies } from '../resilience/inference-policies';
import { RunInferenceCommand } from '../use-cases/run-inference/run-inference.command';
import { RunInferenceUseCase } from '../use-cases/run-inference/run-inference.use-case';

const infra = testInfra();
const logger = quietLogger('cascade-int');
const tenant = `cs-${randomBytes(4).toString('hex')}`;
/** The shipped weights, as the worker loads them at boot (ANSWER_CHECK_PATH). */
const checker = AnswerCheck.parse(JSON.parse(readFileSync(join(__dirname, '../../../../../infra/routing/answer-check.json'), 'utf8')));

const catalog = parseCatalog({
  providers: { sim: { kind: 'openai-compatible', base_url: 'http://127.0.0.1:1/v1', base_url_setting: 'SIM_URL' } },
  models: [
    { id: 'weak', provider: 'sim', deployment: 'sim-small', tier: 'small', context_window: 8192, price_in_micros_per_mtok: 150_000, price_out_micros_per_mtok: 600_000 },
    { id: 'strong', provider: 'sim', deployment: 'sim-large', tier: 'large', context_window: 8192, price_in_micros_per_mtok: 2_500_000, price_out_micros_per_mtok: 10_000_000 },
  ],
  routes: { default: ['weak', 'strong'] },
});

const target = (id: string, extra: Partial<RouteTarget>): RouteTarget => {
  const m = catalog.models.find((x) => x.id === id)!;
  return {
    model: m.id,
    provider: m.provider,
    deployment: m.deployment,
    price_in_micros_per_mtok: m.price_in_micros_per_mtok,
    price_out_micros_per_mtok: m.price_out_micros_per_mtok,
    timeout_ms: 10_000,
    ...extra,
  };
};

const QUESTION =
  'Janet’s ducks lay 16 eggs per day. She eats three for breakfast and bakes muffins with four. She sells the rest for $2 each. How much in dollars does she make every day?';
const STRONG = 'She has 16 - 3 - 4 = 9 eggs left and makes 9 * 2 = 18 dollars. The answer is 18.';

/** The plan the router makes for a cascaded word problem (apps/router cascade policy), with model-sim told what each model answers. */
const cascaded = (weakAnswer: string, mode: InferenceRequestV1['mode'] = 'sync'): InferenceRequestV1 => ({
  ...llmRequest({
    tenant_id: tenant,
    request_id: randomUUID(),
    mode,
    body: {
      model: 'smart',
      max_tokens: 64,
      messages: [
        { role: 'system', content: `ECHO@sim-small: ${weakAnswer}\nECHO@sim-large: ${STRONG}` },
        { role: 'user', content: QUESTION },
      ],
    },
  }),
  context: [],
  plan: {
    policy: 'composed-v1',
    reason: 'smart: weak (primary)',
    targets: [target('weak', { role: 'primary', answer_check: {} }), target('strong', { role: 'escalation' })],
    decisions: [{ policy: 'cascade', rule: 'arithmetic-word-problem', effect: 'weak first; answer-check (calibrated threshold) escalates to strong' }],
  },
});

type Bill = ReturnType<SimBill['view']>;

describe('weak-first cascade: the worker against model-sim with the shipped answer-check', () => {
  let redis: Redis;
  let subscriber: Redis;
  let sim: RunningService;
  let events: InMemoryEventPublisher;
  let worker: RunInferenceUseCase;

  const billFor = async (requestId: string) => ((await (await fetch(`${sim.url}/sim/bill`)).json()) as Bill).calls.filter((c) => c.call_id?.includes(requestId));
  const usages = (requestId: string) => events.on(Topics.usage).filter((u) => u.request_id === requestId);
  const resultOf = (requestId: string) => events.on(Topics.results).find((r) => r.request_id === requestId)!;
  const price = (tokensIn: number, tokensOut: number, inPerM: number, outPerM: number) => Math.ceil((tokensIn * inPerM + tokensOut * outPerM) / 1e6);

  beforeAll(async () => {
    redis = createRedis(infra.REDIS_URL, logger);
    subscriber = createRedis(infra.REDIS_URL, logger, 'cascade-int-subscriber');
    const config = modelSimConfigSchema.parse({ SIM_TTFT_MS: '5', SIM_ITL_MS: '1' });
    sim = await runService({
      name: 'model-sim',
      module: () => SimulationModule.forRoot(config),
      settings: testServiceSettings(1_000),
      httpErrorMappers: [simulationHttpErrorMapper],
      logger,
    });
    countTokens('warm up');
    events = new InMemoryEventPublisher();
    const runner = new ProviderCallRunner(new OpenAiCompatibleAdapter(new ProviderRegistry(catalog, { SIM_URL: `${sim.url}/v1` })), {
      firstTokenMs: 5_000,
      idleMs: 5_000,
      encodings: new Map(catalog.models.map((m) => [m.id, m.tokenizer])),
    });
    worker = new RunInferenceUseCase(
      runner,
      new RedisCallOutbox(redis, 600),
      new RedisRequestLease(redis),
      events,
      new ResultPublisher(redis, events),
      new RequestCancellation(redis, new RequestNotifications(subscriber)),
      new InferencePolicies({ ...DEFAULT_POLICY_SETTINGS, INFERENCE_MAX_RETRIES: 0 }, undefined, undefined, Math.random, checker),
      logger,
    );
  });
  afterAll(async () => {
    await sim?.close();
    redis?.disconnect();
    subscriber?.disconnect();
  });

  it('keeps a confident weak answer: one provider call, one usage event, the score in the result', async () => {
    const req = cascaded('She has 16 - 3 - 4 = 9 eggs and makes 9 * 2 = 18 dollars. The answer is 18.');
    await worker.execute(RunInferenceCommand.create(req, 1, 5));
    const billed = await billFor(req.request_id);
    expect(billed.map((c) => [c.model, c.call_id])).toEqual([['sim-small', `${tenant}/${req.request_id}/c1`]]);
    expect(usages(req.request_id)).toEqual([
      expect.objectContaining({
        model: 'weak',
        call_id: 'c1',
        fallback_step: 'primary',
        tokens_in: billed[0]!.prompt_tokens,
        tokens_out: billed[0]!.completion_tokens,
        cost_micros: price(billed[0]!.prompt_tokens, billed[0]!.completion_tokens, 150_000, 600_000),
      }),
    ]);
    const result = resultOf(req.request_id);
    expect(result).toMatchObject({
      status: 'succeeded',
      model: 'weak',
      fallback_step: 'primary',
      escalation: { check: 'answer-check', escalated: false, reason: 'confident', checker: checker.model.version },
    });
    expect(result.escalation!.score!).toBeLessThan(checker.model.default_threshold);
    expect(result.response!.choices[0]!.message.content).toContain('The answer is 18');
  });

  it('escalates a wrong-looking weak answer to the strong model: both calls billed and charged once each, the escalation marked', async () => {
    const req = cascaded('She has 16 - 3 - 4 = 10 eggs and makes 10 * 2 = 21 dollars, approximately. The answer is 20.5.');
    await worker.execute(RunInferenceCommand.create(req, 1, 5));
    const billed = await billFor(req.request_id);
    expect(billed.map((c) => [c.model, c.call_id, c.outcome])).toEqual([
      ['sim-small', `${tenant}/${req.request_id}/c1`, 'completed'],
      ['sim-large', `${tenant}/${req.request_id}/c2`, 'completed'],
    ]);
    const [weak, strong] = billed;
    const rows = usages(req.request_id);
    expect(rows.map((u) => [u.model, u.call_id, u.fallback_step, u.tokens_in, u.tokens_out, u.cost_micros])).toEqual([
      ['weak', 'c1', 'primary', weak!.prompt_tokens, weak!.completion_tokens, price(weak!.prompt_tokens, weak!.completion_tokens, 150_000, 600_000)],
      ['strong', 'c2', 'escalation', strong!.prompt_tokens, strong!.completion_tokens, price(strong!.prompt_tokens, strong!.completion_tokens, 2_500_000, 10_000_000)],
    ]);
    const result = resultOf(req.request_id);
    expect(result).toMatchObject({
      status: 'succeeded',
      model: 'strong',
      fallback_step: 'escalation',
      fallback_used: true,
      escalation: { escalated: true, reason: 'unsure', checked_model: 'weak' },
    });
    expect(result.escalation!.score!).toBeGreaterThanOrEqual(checker.model.default_threshold);
    expect(result.cost_micros).toBe(rows[0]!.cost_micros + rows[1]!.cost_micros);
    expect(result.response!.choices[0]!.message.content).toBe(STRONG);

    // A redelivery of the finished request republishes; the provider is not called again.
    await worker.execute(RunInferenceCommand.create(req, 2, 5));
    expect(await billFor(req.request_id)).toHaveLength(2);
  });

  it('does not cascade a stream: the weak answer streamed to the caller is the answer', async () => {
    const req = cascaded('about 20.5 dollars, approximately', 'stream');
    await worker.execute(RunInferenceCommand.create(req, 1, 5));
    expect((await billFor(req.request_id)).map((c) => c.model)).toEqual(['sim-small']);
    expect(resultOf(req.request_id)).toMatchObject({ model: 'weak' });
    expect(resultOf(req.request_id).escalation).toBeUndefined();
  });
});
