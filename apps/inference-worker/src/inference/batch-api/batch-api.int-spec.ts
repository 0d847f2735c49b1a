import { randomBytes, randomUUID } from 'node:crypto';
import { parseCatalog } from '@llm/catalog';
import { Topics, type InferenceRequestV1, type RouteTarget } from '@llm/contracts';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { createRedis, type Redis } from '@llm/redis';
import { RequestCancellation, RequestNotifications, ResultPublisher } from '@llm/result-stream';
import { runService, type RunningService } from '@llm/service-runtime';
import { callCostMicros, countTokens } from '@llm/tokens';
import { llmRequest, quietLogger, testInfra, testServiceSettings, waitFor } from '@llm/testing';
import OpenAI, { toFile } from 'openai';
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
import { batchLine } from './batch-lines';
import { BatchPoller } from './batch-poller';
import { BatchSubmissionsRepository } from './batch-submissions.repository';
import { BatchSubmitter } from './batch-submitter';

const infra = testInfra();
const logger = quietLogger('batch-api-int');
const tenant = `ba-${randomBytes(4).toString('hex')}`;
type Bill = ReturnType<SimBill['view']>;

const PRICES = { in: 1_000_000, out: 2_000_000, batchIn: 500_000, batchOut: 1_000_000 };
const catalog = parseCatalog({
  providers: {
    // OpenAI's dialect, with its Files and Batch APIs; and a vLLM host without one.
    oai: { kind: 'openai-compatible', dialect: 'openai', base_url: 'http://127.0.0.1:1/v1', base_url_setting: 'OAI_URL', api_key_setting: 'OAI_KEY', batch_api: true },
    vllm: { kind: 'openai-compatible', base_url: 'http://127.0.0.1:1/v1', base_url_setting: 'VLLM_URL', api_key_setting: 'OAI_KEY' },
  },
  models: [
    {
      id: 'batchable',
      provider: 'oai',
      deployment: 'sim-small',
      tier: 'small',
      context_window: 8192,
      price_in_micros_per_mtok: PRICES.in,
      price_out_micros_per_mtok: PRICES.out,
      price_batch_in_micros_per_mtok: PRICES.batchIn,
      price_batch_out_micros_per_mtok: PRICES.batchOut,
    },
    {
      id: 'realtime-only',
      provider: 'vllm',
      deployment: 'sim-small',
      tier: 'small',
      context_window: 8192,
      price_in_micros_per_mtok: PRICES.in,
      price_out_micros_per_mtok: PRICES.out,
    },
  ],
  routes: { default: ['batchable'] },
});

const target = (id: string): RouteTarget => {
  const m = catalog.models.find((x) => x.id === id)!;
  return {
    model: m.id,
    provider: m.provider,
    deployment: m.deployment,
    price_in_micros_per_mtok: m.price_in_micros_per_mtok,
    price_out_micros_per_mtok: m.price_out_micros_per_mtok,
    ...(m.price_batch_in_micros_per_mtok !== undefined
      ? { price_batch_in_micros_per_mtok: m.price_batch_in_micros_per_mtok, price_batch_out_micros_per_mtok: m.price_batch_out_micros_per_mtok }
      : {}),
    timeout_ms: 10_000,
  };
};

const batchRequest = (model: string, content: string): InferenceRequestV1 => ({
  ...llmRequest({ tenant_id: tenant, request_id: randomUUID(), priority: 'batch', body: { model: 'auto', messages: [{ role: 'user', content }] } }),
  context: [],
  plan: { policy: 'test', reason: 'test', targets: [target(model)] },
});

describe('provider batch API for the batch band (model-sim, Redis)', () => {
  let redis: Redis;
  let subscriber: Redis;
  let sim: RunningService;
  let events: InMemoryEventPublisher;
  let registry: ProviderRegistry;
  let outbox: RedisCallOutbox;
  let submissions: BatchSubmissionsRepository;
  let oai: OpenAI;
  let cancellation: RequestCancellation;

  const bill = async (): Promise<Bill> => (await fetch(`${sim.url}/sim/bill`)).json() as Promise<Bill>;
  const batchesAtProvider = async () => (await oai.batches.list()).data;
  const worker = (collectMs = 200) => {
    const submitter = new BatchSubmitter(registry, outbox, submissions, { collectMs, maxLines: 100 }, logger);
    return new RunInferenceUseCase(
      new ProviderCallRunner(new OpenAiCompatibleAdapter(registry), { firstTokenMs: 5_000, idleMs: 5_000, encodings: new Map() }),
      outbox,
      new RedisRequestLease(redis),
      events,
      new ResultPublisher(redis, events),
      cancellation,
      new InferencePolicies({ ...DEFAULT_POLICY_SETTINGS, INFERENCE_LEASE_MS: 5_000, INFERENCE_MAX_RETRIES: 0 }),
      logger,
      submitter,
    );
  };
  const poller = (recoverAfterMs = 60_000) =>
    new BatchPoller(registry, outbox, submissions, events, new ResultPublisher(redis, events), { recoverAfterMs, lockMs: 10_000 }, logger);
  /** Polls until a pass finished a submission (the provider runs batches in the background). */
  const pollUntilFinished = (p: BatchPoller) => waitFor(async () => ((await p.pollOnce()) > 0 ? true : undefined), { what: 'a provider batch to finish', intervalMs: 100 });
  const usagesOf = (requestId: string) => events.on(Topics.usage).filter((u) => u.request_id === requestId);
  const resultsOf = (requestId: string) => events.on(Topics.results).filter((r) => r.request_id === requestId);
  const run = (uc: RunInferenceUseCase, r: InferenceRequestV1) => uc.execute(RunInferenceCommand.create(r, 1, 3));

  beforeAll(async () => {
    redis = createRedis(infra.REDIS_URL, logger);
    subscriber = createRedis(infra.REDIS_URL, logger, 'batch-api-int-subscriber');
    cancellation = new RequestCancellation(redis, new RequestNotifications(subscriber));
    const config = modelSimConfigSchema.parse({ SIM_TTFT_MS: '1', SIM_ITL_MS: '0', SIM_API_KEY: 'sk-test' });
    sim = await runService({
      name: 'model-sim',
      module: () => SimulationModule.forRoot(config),
      settings: testServiceSettings(1_000),
      httpErrorMappers: [simulationHttpErrorMapper],
      logger,
    });
    registry = new ProviderRegistry(catalog, { OAI_URL: `${sim.url}/openai/v1`, OAI_KEY: 'sk-test', VLLM_URL: `${sim.url}/v1` });
    oai = new OpenAI({ baseURL: `${sim.url}/openai/v1`, apiKey: 'sk-test', maxRetries: 0 });
    outbox = new RedisCallOutbox(redis, 600);
    submissions = new BatchSubmissionsRepository(redis, 600);
    countTokens('warm up');
  });
  beforeEach(async () => {
    events = new InMemoryEventPublisher();
    await fetch(`${sim.url}/sim/bill/reset`, { method: 'POST' });
    // Other specs' leftovers must not be finished by this spec's poller.
    for (const id of await submissions.openIds()) await submissions.close(id);
  });
  afterAll(async () => {
    await sim.close();
    redis.disconnect();
    subscriber.disconnect();
  });

  it('collects batch-band requests into one provider batch and publishes each result like a realtime one, charged once at the batch price', async () => {
    const before = (await batchesAtProvider()).length;
    const uc = worker();
    const requests = ['ECHO: one', 'ECHO: two', 'ECHO: three'].map((c) => batchRequest('batchable', c));
    await Promise.all(requests.map((r) => run(uc, r)));
    const created = await batchesAtProvider();
    expect(created.length).toBe(before + 1);
    expect(created[0]!.metadata).toEqual({ submission_id: expect.any(String) });
    // Nothing is published before the provider answered.
    expect(events.on(Topics.results)).toEqual([]);

    // A redelivery while the batch runs does not call again.
    await run(uc, requests[0]!);
    expect((await batchesAtProvider()).length).toBe(before + 1);

    await pollUntilFinished(poller());
    for (const [i, r] of requests.entries()) {
      const [usage] = usagesOf(r.request_id);
      expect(usagesOf(r.request_id)).toHaveLength(1);
      expect(usage).toMatchObject({ call_id: 'c1', batch: true, model: 'batchable', status: 'succeeded' });
      expect(usage!.cost_micros).toBe(
        callCostMicros({ tokensIn: usage!.tokens_in, cachedIn: 0, tokensOut: usage!.tokens_out }, { inPerMtok: PRICES.batchIn, outPerMtok: PRICES.batchOut }),
      );
      expect(resultsOf(r.request_id)).toEqual([
        expect.objectContaining({
          status: 'succeeded',
          cost_micros: usage!.cost_micros,
          response: expect.objectContaining({ choices: [expect.objectContaining({ message: expect.objectContaining({ content: ['one', 'two', 'three'][i] }) })] }),
        }),
      ]);
    }
    const calls = (await bill()).calls.map((c) => c.call_id).sort();
    expect(calls).toEqual(requests.map((r) => `${tenant}/${r.request_id}/c1`).sort());

    // Redelivered after it finished: the stored outcome is republished, the provider is not called again.
    await run(uc, requests[1]!);
    expect((await bill()).calls).toHaveLength(3);
    expect(usagesOf(requests[1]!.request_id).map((u) => u.call_id)).toEqual(['c1', 'c1']);
    expect(await poller().pollOnce()).toBe(0);
  });

  it('finishes a submission whose worker died before the provider accepted it, and adopts a batch accepted but never recorded', async () => {
    const before = (await batchesAtProvider()).length;
    // Died before asking the provider: the submission and the outboxes are recorded, nothing was sent.
    const lost = batchRequest('batchable', 'ECHO: lost');
    const lostId = randomUUID();
    await submissions.open({
      submission_id: lostId,
      provider: 'oai',
      deployment: 'sim-small',
      created_at: Date.now(),
      lines: [{ tenant_id: tenant, request_id: lost.request_id, call_id: 'c1' }],
    });
    await outbox.saveBatch({ submission_id: lostId, call_id: 'c1', request: lost, target: target('batchable') });
    // Died after the provider accepted, before the batch id was recorded.
    const orphan = batchRequest('batchable', 'ECHO: orphan');
    const orphanId = randomUUID();
    await submissions.open({
      submission_id: orphanId,
      provider: 'oai',
      deployment: 'sim-small',
      created_at: Date.now(),
      lines: [{ tenant_id: tenant, request_id: orphan.request_id, call_id: 'c1' }],
    });
    await outbox.saveBatch({ submission_id: orphanId, call_id: 'c1', request: orphan, target: target('batchable') });
    const file = await oai.files.create({ file: await toFile(Buffer.from(`${batchLine(orphan, target('batchable'), 'c1')}\n`), 'orphan.jsonl'), purpose: 'batch' });
    await oai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { submission_id: orphanId } });

    const p = poller(0);
    await waitFor(async () => ((await submissions.openIds()).length === 0 ? true : (await p.pollOnce(), undefined)), { what: 'both submissions to finish', intervalMs: 100 });
    // One new batch for the lost submission; the orphan's batch was adopted, not submitted again.
    expect((await batchesAtProvider()).length).toBe(before + 2);
    for (const r of [lost, orphan]) {
      expect(usagesOf(r.request_id)).toEqual([expect.objectContaining({ call_id: 'c1', batch: true })]);
      expect(resultsOf(r.request_id)).toEqual([expect.objectContaining({ status: 'succeeded' })]);
    }
    expect((await bill()).calls.map((c) => c.call_id).sort()).toEqual([`${tenant}/${lost.request_id}/c1`, `${tenant}/${orphan.request_id}/c1`].sort());
  });

  it('runs batch-band requests realtime where the deployment has no batch API, as before', async () => {
    const before = (await batchesAtProvider()).length;
    const r = batchRequest('realtime-only', 'ECHO: now');
    await run(worker(), r);
    expect((await batchesAtProvider()).length).toBe(before);
    expect(usagesOf(r.request_id)).toEqual([expect.objectContaining({ call_id: 'c1', status: 'succeeded' })]);
    expect(usagesOf(r.request_id)[0]!.batch).toBeUndefined();
    expect(resultsOf(r.request_id)).toEqual([expect.objectContaining({ status: 'succeeded' })]);
  });
});
