import { Topics, type InferenceRequestV1, type LlmResultV1, type RouteTarget } from '@llm/contracts';
import { isRetryable } from '@llm/errors';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import type { ResultPublisher } from '@llm/result-stream';
import { llmRequest, quietLogger } from '@llm/testing';
import { InferenceError } from '../../inference.errors';
import type { CallResult, OpenAiCompatibleAdapter } from '../../providers/openai-compatible.adapter';
import { RunInferenceCommand } from './run-inference.command';
import { RunInferenceUseCase } from './run-inference.use-case';

const target = (model: string): RouteTarget => ({
  model,
  provider: 'sim',
  deployment: model,
  price_in_micros_per_mtok: 1_000_000,
  price_out_micros_per_mtok: 2_000_000,
  timeout_ms: 1_000,
});

const request = (): InferenceRequestV1 => ({ ...llmRequest(), cache_key: 'a'.repeat(64), context: [], plan: { policy: 'p', reason: 'r', targets: [target('small'), target('large')] } });

const ok = (content: string): CallResult => ({
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  completion: { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] },
});

describe('RunInferenceUseCase', () => {
  let events: InMemoryEventPublisher;
  let finished: LlmResultV1[];
  let outcomes: Record<string, () => CallResult>;
  let useCase: RunInferenceUseCase;

  beforeEach(() => {
    events = new InMemoryEventPublisher();
    finished = [];
    outcomes = {};
    const adapter = { call: async (t: RouteTarget) => outcomes[t.model]!() } as unknown as OpenAiCompatibleAdapter;
    const results = { publish: async (r: LlmResultV1) => (finished.push(r), true), appendDelta: async () => '0-1' } as unknown as ResultPublisher;
    useCase = new RunInferenceUseCase(adapter, events, results, quietLogger());
  });

  it('charges the exact usage once per attempt and finishes the request', async () => {
    outcomes.small = () => ok('hi');
    const req = request();
    await useCase.execute(RunInferenceCommand.create(req, 2, 5));
    const [usage] = events.on(Topics.usage);
    // 10 tokens at $1/M + 5 at $2/M = 20 micros
    expect(usage).toMatchObject({ request_id: req.request_id, attempt: 2, cost_micros: 20, tokens_in: 10, tokens_out: 5, model: 'small' });
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ status: 'succeeded', source: 'model', cost_micros: 20, fallback_used: false, cache_key: req.cache_key });
  });

  it('falls back to the next target on a retryable failure', async () => {
    outcomes.small = () => {
      throw new InferenceError('PROVIDER_RATE_LIMITED', 'slow down', true);
    };
    outcomes.large = () => ok('from large');
    await useCase.execute(RunInferenceCommand.create(request(), 1, 5));
    expect(finished[0]).toMatchObject({ status: 'succeeded', model: 'large', fallback_used: true });
  });

  it('does not fall back on a request the provider rejected, and fails the request', async () => {
    let largeCalled = false;
    outcomes.small = () => {
      throw new InferenceError('PROVIDER_REJECTED', 'bad request', false);
    };
    outcomes.large = () => ((largeCalled = true), ok('x'));
    await useCase.execute(RunInferenceCommand.create(request(), 1, 5));
    expect(largeCalled).toBe(false);
    expect(finished[0]).toMatchObject({ status: 'failed', error: { code: 'PROVIDER_REJECTED', retryable: false } });
    expect(events.on(Topics.usage)).toEqual([]);
  });

  it('asks for redelivery when every target failed transiently and attempts remain', async () => {
    const down = () => {
      throw new InferenceError('PROVIDER_UNAVAILABLE', 'down', true);
    };
    outcomes.small = down;
    outcomes.large = down;
    const err = await useCase.execute(RunInferenceCommand.create(request(), 1, 3)).catch((e: unknown) => e);
    expect(isRetryable(err)).toBe(true);
    expect(finished).toEqual([]);
  });

  it('tells the caller on the last attempt instead of leaving it waiting', async () => {
    outcomes.small = () => {
      throw new InferenceError('PROVIDER_TIMEOUT', 'timeout', true);
    };
    outcomes.large = outcomes.small;
    await useCase.execute(RunInferenceCommand.create(request(), 3, 3));
    expect(finished[0]).toMatchObject({ status: 'failed', error: { code: 'PROVIDER_TIMEOUT' }, attempt: 3 });
  });
});
