import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topics, type InferenceRequestV1, type RouteTarget } from '@llm/contracts';
import { DEFAULT_CACHE_POLICY, ExactCacheReader } from '@llm/cache-key';
import { errorCodeOf, isRetryable } from '@llm/errors';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { answeredResult } from '@llm/result-stream';
import { RecordingResults } from '@llm/result-stream/testing';
import { AnswerCheck } from '@llm/routing-scorer';
import { chatCompletion, llmRequest, quietLogger } from '@llm/testing';
import type { CallOutcome, ConsumedTokens } from '../../calls/provider-call.runner';
import { InferenceError } from '../../inference.errors';
import { DEFAULT_POLICY_SETTINGS, InferencePolicies, type PolicySettings } from '../../resilience/inference-policies';
import { RunInferenceCommand } from './run-inference.command';
import { InMemoryCallOutbox, InMemoryLease, ScriptedRunner, SwitchableCancellation } from './run-inference.fakes';
import { RunInferenceUseCase } from './run-inference.use-case';

const target = (model: string): RouteTarget => ({
  model,
  provider: 'sim',
  deployment: model,
  price_in_micros_per_mtok: 1_000_000,
  price_cached_in_micros_per_mtok: 100_000,
  price_out_micros_per_mtok: 2_000_000,
  timeout_ms: 1_000,
});

const request = (overrides: Partial<InferenceRequestV1> = {}): InferenceRequestV1 => ({
  ...llmRequest(),
  cache_key: 'a'.repeat(64),
  context: [],
  plan: { policy: 'p', reason: 'r', targets: [target('small'), target('large')] },
  ...overrides,
});

const tokens = (tokensIn: number, tokensOut: number, cachedIn = 0): ConsumedTokens => ({ tokensIn, cachedIn, tokensOut, estimated: false });
const answer = (content: string, t = tokens(10, 5)): CallOutcome => ({ ok: true, completion: chatCompletion(content), tokens: t, deltas: 0 });
const failure = (error: InferenceError, extra: Partial<Extract<CallOutcome, { ok: false }>> = {}): CallOutcome => ({ ok: false, error, deltas: 0, cancelled: false, ...extra });

/** Backoff of a millisecond or two: the rounds are what is tested, not the waiting. */
const policies = (settings: Partial<PolicySettings> = {}, cache?: ConstructorParameters<typeof InferencePolicies>[1], random?: () => number) =>
  new InferencePolicies({ ...DEFAULT_POLICY_SETTINGS, INFERENCE_RETRY_BASE_MS: 2, ...settings }, cache, undefined, random);

describe('RunInferenceUseCase', () => {
  let events: InMemoryEventPublisher;
  let results: RecordingResults;
  let runner: ScriptedRunner;
  let outbox: InMemoryCallOutbox;
  let lease: InMemoryLease;
  let cancellation: SwitchableCancellation;
  let useCase: RunInferenceUseCase;

  beforeEach(() => {
    events = new InMemoryEventPublisher();
    results = new RecordingResults();
    runner = new ScriptedRunner();
    outbox = new InMemoryCallOutbox();
    lease = new InMemoryLease();
    cancellation = new SwitchableCancellation();
    useCase = new RunInferenceUseCase(runner, outbox, lease, events, results, cancellation, policies({ INFERENCE_LEASE_MS: 1_000, INFERENCE_LEASE_WAIT_MS: 0 }), quietLogger());
  });

  it('charges what the provider billed, cached prompt tokens at the cached price, under a call id chosen before the call', async () => {
    runner.scripts.small = async () => answer('hi', tokens(1_000, 100, 600));
    const req = request();
    await useCase.execute(RunInferenceCommand.create(req, 2, 5));
    expect(runner.calls[0]!.callId).toBe(`acme/${req.request_id}/c1`);
    // 400 in at $1/M + 600 cached at $0.10/M + 100 out at $2/M = 400 + 60 + 200 micros
    expect(events.on(Topics.usage)).toEqual([
      expect.objectContaining({
        request_id: req.request_id,
        call_id: 'c1',
        attempt: 2,
        status: 'succeeded',
        tokens_in: 1_000,
        tokens_cached_in: 600,
        tokens_out: 100,
        cost_micros: 660,
      }),
    ]);
    expect(results.finished).toEqual([expect.objectContaining({ status: 'succeeded', source: 'model', cost_micros: 660, fallback_used: false, cache_key: req.cache_key })]);
  });

  it('republishes the stored outcome on redelivery instead of calling the provider again', async () => {
    runner.scripts.small = async () => answer('hi');
    const req = request();
    results.failNextPublish = new Error('Connection is closed.');
    const first = await useCase.execute(RunInferenceCommand.create(req, 1, 5)).catch((e: unknown) => e);
    expect(isRetryable(first)).toBe(true);
    await useCase.execute(RunInferenceCommand.create(req, 2, 5));
    expect(runner.calls).toHaveLength(1);
    // The same call published twice: the ledger keeps one row per (tenant, request, call_id).
    expect(events.on(Topics.usage).map((u) => u.call_id)).toEqual(['c1', 'c1']);
    expect(results.finished).toEqual([expect.objectContaining({ status: 'succeeded', attempt: 1 })]);
  });

  it('does not call the provider again when the usage publish failed after a successful call (broker restart)', async () => {
    runner.scripts.small = async () => answer('hi');
    const req = request();
    events.failNext = new Error('broker unavailable');
    const first = await useCase.execute(RunInferenceCommand.create(req, 1, 5)).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(Error);
    await useCase.execute(RunInferenceCommand.create(req, 2, 5));
    expect(runner.calls).toHaveLength(1);
    expect(events.on(Topics.usage).map((u) => u.call_id)).toEqual(['c1']);
    expect(results.finished).toEqual([expect.objectContaining({ status: 'succeeded', attempt: 1 })]);
  });

  it('stops a running call when its lease is lost, charges what it consumed, and leaves finishing to the new holder', async () => {
    useCase = new RunInferenceUseCase(runner, outbox, lease, events, results, cancellation, policies({ INFERENCE_LEASE_MS: 300, INFERENCE_LEASE_WAIT_MS: 0 }), quietLogger());
    lease.renewable = false;
    runner.scripts.small = async (spec) => {
      await new Promise((r) => (spec.stop.aborted ? r(undefined) : spec.stop.addEventListener('abort', r, { once: true })));
      return failure(new InferenceError('CANCELLED', 'stopped', false), { cancelled: true, tokens: tokens(10, 3) });
    };
    const err = await useCase.execute(RunInferenceCommand.create(request(), 1, 5)).catch((e: unknown) => e);
    expect(isRetryable(err)).toBe(true);
    expect(errorCodeOf(err)).toBe('REQUEST_IN_PROGRESS');
    expect(runner.calls).toHaveLength(1);
    expect(results.finished).toEqual([]);
    expect(events.on(Topics.usage)).toEqual([expect.objectContaining({ call_id: 'c1', status: 'cancelled', tokens_out: 3 })]);
  });

  it('does not call the provider while another worker holds the request', async () => {
    runner.scripts.small = async () => answer('hi');
    const req = request();
    await lease.acquire(req.tenant_id, req.request_id);
    const err = await useCase.execute(RunInferenceCommand.create(req, 1, 5)).catch((e: unknown) => e);
    expect(errorCodeOf(err)).toBe('REQUEST_IN_PROGRESS');
    expect(isRetryable(err)).toBe(true);
    expect(runner.calls).toEqual([]);
  });

  it('waits for the worker holding the request and republishes its outcome instead of calling', async () => {
    runner.scripts.small = async () => answer('hi');
    const req = request();
    const holder = (await lease.acquire(req.tenant_id, req.request_id))!;
    const waiting = new RunInferenceUseCase(
      runner,
      outbox,
      lease,
      events,
      results,
      cancellation,
      policies({ INFERENCE_LEASE_MS: 1_000, INFERENCE_LEASE_WAIT_MS: 10_000 }),
      quietLogger(),
    );
    const done = waiting.execute(RunInferenceCommand.create(req, 1, 5));
    // The holder finishes: its result is in the outbox, then it lets go.
    await outbox.saveResult(
      answeredResult(req, { source: 'model', model: 'small', provider: 'sim', response: chatCompletion('hi'), usage: chatCompletion().usage!, cost_micros: 5, attempt: 1 }),
    );
    await holder.release();
    await done;
    expect(runner.calls).toEqual([]);
    expect(results.finished).toEqual([expect.objectContaining({ request_id: req.request_id, status: 'succeeded' })]);
  });

  it('voids a streamed call that failed with a reset, charges it as failed, and answers with the next target only', async () => {
    runner.scripts.small = async (spec) => {
      await spec.onDelta('partial', 0);
      return failure(new InferenceError('PROVIDER_TIMEOUT', 'idle', true), { tokens: { ...tokens(10, 1), estimated: true }, deltas: 1 });
    };
    runner.scripts.large = async (spec) => {
      await spec.onDelta('whole answer', 0);
      return { ...answer('whole answer'), deltas: 1 };
    };
    await useCase.execute(RunInferenceCommand.create(request({ mode: 'stream' }), 1, 5));
    expect(results.stream).toEqual([
      { type: 'delta', index: 0, content: 'partial', model: 'small', call_id: 'c1' },
      { type: 'reset', call_id: 'c1', reason: 'PROVIDER_TIMEOUT' },
      { type: 'delta', index: 0, content: 'whole answer', model: 'large', call_id: 'c2' },
    ]);
    // A plan without roles: the first target is the primary, the others fallback models.
    expect(events.on(Topics.usage).map((u) => [u.call_id, u.status, u.tokens_estimated, u.fallback_step, u.fallback])).toEqual([
      ['c1', 'failed', true, 'primary', false],
      ['c2', 'succeeded', false, 'fallback-model', true],
    ]);
    const [result] = results.finished;
    expect(result).toMatchObject({ status: 'succeeded', model: 'large', fallback_used: true, fallback_step: 'fallback-model', cost_micros: 12 + 20 });
    expect(result!.response!.choices[0]!.message.content).toBe('whole answer');
  });

  it("names the router's role of the target that served each call as its fallback step", async () => {
    runner.scripts.small = async () => failure(new InferenceError('PROVIDER_UNAVAILABLE', '503', true), { tokens: tokens(10, 0) });
    runner.scripts.large = async () => answer('from the other deployment');
    const plan = {
      policy: 'p',
      reason: 'r',
      targets: [
        { ...target('small'), role: 'primary' as const },
        { ...target('large'), role: 'other-deployment' as const },
      ],
    };
    await useCase.execute(RunInferenceCommand.create(request({ plan }), 1, 5));
    expect(events.on(Topics.usage).map((u) => [u.call_id, u.fallback_step, u.fallback])).toEqual([
      ['c1', 'primary', false],
      ['c2', 'other-deployment', true],
    ]);
    expect(results.finished[0]).toMatchObject({ status: 'succeeded', fallback_used: true, fallback_step: 'other-deployment' });
  });

  it('falls back from a misconfigured provider and raises an alert', async () => {
    runner.scripts.small = async () => failure(new InferenceError('PROVIDER_MISCONFIGURED', 'sim/small refused our configuration with 401', false));
    runner.scripts.large = async () => answer('from large');
    await useCase.execute(RunInferenceCommand.create(request(), 1, 5));
    expect(results.finished[0]).toMatchObject({ status: 'succeeded', model: 'large' });
    expect(events.on(Topics.alerts)).toEqual([expect.objectContaining({ kind: 'provider_misconfigured', severity: 'critical' })]);
  });

  it('does not fall back on a request the provider rejected, and fails the request', async () => {
    runner.scripts.small = async () => failure(new InferenceError('PROVIDER_REJECTED', 'bad request', false));
    await useCase.execute(RunInferenceCommand.create(request(), 1, 5));
    expect(runner.calls).toHaveLength(1);
    expect(results.finished[0]).toMatchObject({ status: 'failed', error: { code: 'PROVIDER_REJECTED', retryable: false } });
    expect(events.on(Topics.usage)).toEqual([]);
  });

  it('tries the plan again after a backoff when every target failed transiently, and answers from the first that recovers', async () => {
    let smallCalls = 0;
    runner.scripts.small = async () => (++smallCalls === 1 ? failure(new InferenceError('PROVIDER_UNAVAILABLE', '500', true), { tokens: tokens(10, 0) }) : answer('recovered'));
    runner.scripts.large = async () => failure(new InferenceError('PROVIDER_TIMEOUT', 'slow', true));
    await useCase.execute(RunInferenceCommand.create(request(), 1, 5));
    expect(runner.calls.map((c) => [c.target.model, c.callId.split('/')[2]])).toEqual([
      ['small', 'c1'],
      ['large', 'c2'],
      ['small', 'c3'],
    ]);
    expect(results.finished[0]).toMatchObject({ status: 'succeeded', model: 'small', fallback_used: true, cost_micros: 10 + 20 });
    // The retried first target is still the primary step: the step names the target, not the round.
    expect(events.on(Topics.usage).map((u) => [u.call_id, u.status, u.fallback_step])).toEqual([
      ['c1', 'failed', 'primary'],
      ['c3', 'succeeded', 'primary'],
    ]);
  });

  it('never hands a provider outage back to Kafka: after its retries it ends with a degradation error that says when to return', async () => {
    runner.scripts.small = async () => failure(new InferenceError('PROVIDER_RATE_LIMITED', 'slow down', true, { retryAfterS: 3 }));
    runner.scripts.large = runner.scripts.small;
    useCase = new RunInferenceUseCase(runner, outbox, lease, events, results, cancellation, policies({ INFERENCE_RETRY_AFTER_MAX_MS: 5_000 }), quietLogger());
    // Retry-After 3 s is honoured: the wait between rounds is at least 3 s. Fake timers let the test not wait.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
    try {
      const done = useCase.execute(RunInferenceCommand.create(request(), 1, 5));
      await jest.advanceTimersByTimeAsync(2_999);
      expect(runner.calls).toHaveLength(2);
      await jest.advanceTimersByTimeAsync(1);
      expect(runner.calls).toHaveLength(4);
      await jest.advanceTimersByTimeAsync(3_000);
      await done;
    } finally {
      jest.useRealTimers();
    }
    // First round plus INFERENCE_MAX_RETRIES (2) rounds over both targets.
    expect(runner.calls).toHaveLength(6);
    expect(results.finished[0]).toMatchObject({ status: 'failed', error: { code: 'MODELS_UNAVAILABLE', retryable: true, retry_after_s: 3 }, attempt: 1 });
  });

  it('does not retry past a Retry-After longer than it may wait, past the deadline, or with the retry budget spent', async () => {
    runner.scripts.small = async () => failure(new InferenceError('PROVIDER_RATE_LIMITED', 'slow down', true, { retryAfterS: 30 }));
    runner.scripts.large = runner.scripts.small;
    await useCase.execute(RunInferenceCommand.create(request(), 1, 5));
    expect(runner.calls).toHaveLength(2);
    expect(results.finished[0]).toMatchObject({ error: { code: 'MODELS_UNAVAILABLE', retry_after_s: 30 } });

    runner.calls.length = 0;
    runner.scripts.small = async () => failure(new InferenceError('PROVIDER_UNAVAILABLE', '500', true));
    runner.scripts.large = runner.scripts.small;
    const slow = new RunInferenceUseCase(
      runner,
      outbox,
      lease,
      events,
      results,
      cancellation,
      policies({ INFERENCE_RETRY_BASE_MS: 60_000, INFERENCE_RETRY_CAP_MS: 60_000 }, undefined, () => 0.5),
      quietLogger(),
    );
    await slow.execute(RunInferenceCommand.create(request({ deadline_at: new Date(Date.now() + 20_000).toISOString() }), 1, 5));
    // A 30 s backoff would end after the deadline: not waited for, the caller is answered now.
    expect(runner.calls).toHaveLength(2);
    expect(results.finished[1]).toMatchObject({ error: { code: 'MODELS_UNAVAILABLE' } });

    runner.calls.length = 0;
    const broke = new RunInferenceUseCase(
      runner,
      outbox,
      lease,
      events,
      results,
      cancellation,
      policies({ INFERENCE_RETRY_BUDGET_RATIO: 0, INFERENCE_RETRY_BUDGET_MIN_PER_S: 0 }),
      quietLogger(),
    );
    await broke.execute(RunInferenceCommand.create(request(), 1, 5));
    expect(runner.calls).toHaveLength(2);
    expect(results.finished[2]).toMatchObject({ error: { code: 'MODELS_UNAVAILABLE' } });
  });

  it('skips retry rounds when every breaker is open, and answers from the exact cache when it holds the answer', async () => {
    runner.scripts.small = async () => failure(new InferenceError('CIRCUIT_OPEN', 'open', true), { notCalled: true });
    runner.scripts.large = runner.scripts.small;
    const cached = chatCompletion('from the cache');
    const store = { get: async (key: string) => (key.endsWith('a'.repeat(64)) ? JSON.stringify(cached) : null) };
    const withCache = new RunInferenceUseCase(runner, outbox, lease, events, results, cancellation, policies({}, new ExactCacheReader(store, DEFAULT_CACHE_POLICY)), quietLogger());
    const req = request();
    await withCache.execute(RunInferenceCommand.create(req, 1, 5));
    expect(runner.calls).toHaveLength(2);
    expect(results.finished[0]).toMatchObject({ status: 'succeeded', source: 'cache', cache_hit: { kind: 'exact' }, fallback_used: true, cost_micros: 0 });
    expect(results.finished[0]!.response!.choices[0]!.message.content).toBe('from the cache');
    expect(events.on(Topics.usage).map((u) => [u.call_id, u.source, u.cost_micros, u.fallback_step, u.fallback])).toEqual([['cache', 'cache', 0, 'cached-answer', true]]);
    expect(results.finished[0]!.fallback_step).toBe('cached-answer');
  });

  it('asks again with the validation error when a json_schema answer does not validate, voiding what was streamed, charging every call', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const answers = ['Oslo, I think', '{"town":"Oslo"}', '{"city":"Oslo"}'];
    runner.scripts.small = async (spec) => {
      const content = answers[runner.calls.length - 1]!;
      await spec.onDelta(content, 0);
      return { ...answer(content), deltas: 1 };
    };
    const req = request({
      mode: 'stream',
      body: { model: 'auto', messages: [{ role: 'user', content: 'where?' }], response_format: { type: 'json_schema', json_schema: { name: 'place', schema } } },
    });
    await useCase.execute(RunInferenceCommand.create(req, 1, 5));
    expect(runner.calls.map((c) => c.target.model)).toEqual(['small', 'small', 'small']);
    const feedback = runner.calls[1]!.body.messages;
    expect(feedback.slice(1).map((m) => m.role)).toEqual(['assistant', 'user']);
    expect(feedback[1]!.content).toBe('Oslo, I think');
    expect(String(feedback[2]!.content)).toContain('not valid JSON');
    expect(String(runner.calls[2]!.body.messages.at(-1)!.content)).toContain('must NOT have additional properties');
    expect(results.stream.filter((w) => w.type === 'reset')).toEqual([
      { type: 'reset', call_id: 'c1', reason: 'STRUCTURED_OUTPUT_INVALID' },
      { type: 'reset', call_id: 'c2', reason: 'STRUCTURED_OUTPUT_INVALID' },
    ]);
    expect(events.on(Topics.usage).map((u) => u.call_id)).toEqual(['c1', 'c2', 'c3']);
    expect(results.finished[0]).toMatchObject({ status: 'succeeded', cost_micros: 3 * 20 });
  });

  it('fails with STRUCTURED_OUTPUT_INVALID once the retries with feedback are spent', async () => {
    runner.scripts.small = async () => answer('[1, 2]');
    await useCase.execute(
      RunInferenceCommand.create(request({ body: { model: 'auto', messages: [{ role: 'user', content: 'json please' }], response_format: { type: 'json_object' } } }), 1, 5),
    );
    // The first answer and INFERENCE_JSON_RETRIES (2) more, all on the same target.
    expect(runner.calls.map((c) => c.target.model)).toEqual(['small', 'small', 'small']);
    expect(results.finished[0]).toMatchObject({ status: 'failed', model: 'small', error: { code: 'STRUCTURED_OUTPUT_INVALID', retryable: false }, cost_micros: 3 * 20 });
    expect(results.finished[0]!.error!.message).toContain('must be a JSON object');
  });

  it('never sends an expired request to a model', async () => {
    runner.scripts.small = async () => answer('late');
    await useCase.execute(RunInferenceCommand.create(request({ deadline_at: new Date(Date.now() - 1_000).toISOString() }), 1, 5));
    expect(runner.calls).toEqual([]);
    expect(results.finished[0]).toMatchObject({ status: 'expired', source: 'none', error: { code: 'EXPIRED' } });
  });

  it('stops a running call the moment the caller cancels', async () => {
    runner.scripts.small = async (spec) => {
      setTimeout(() => cancellation.cancel(), 5);
      await new Promise((r) => (spec.stop.aborted ? r(undefined) : spec.stop.addEventListener('abort', r, { once: true })));
      return failure(new InferenceError('CANCELLED', 'gone', false), { cancelled: true, tokens: tokens(10, 1) });
    };
    await useCase.execute(RunInferenceCommand.create(request(), 1, 5));
    expect(results.finished[0]).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
  });

  it('does not call for a cancelled request, and charges a call the caller cancelled for what it consumed', async () => {
    cancellation.cancelled = true;
    await useCase.execute(RunInferenceCommand.create(request(), 1, 5));
    expect(runner.calls).toEqual([]);
    expect(results.finished[0]).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });

    cancellation.cancelled = false;
    runner.scripts.small = async () => failure(new InferenceError('CANCELLED', 'gone', false), { cancelled: true, tokens: tokens(10, 3) });
    await useCase.execute(RunInferenceCommand.create(request(), 1, 5));
    expect(runner.calls).toHaveLength(1);
    expect(events.on(Topics.usage)).toEqual([expect.objectContaining({ status: 'cancelled', tokens_in: 10, tokens_out: 3, cost_micros: 16 })]);
    expect(results.finished[1]).toMatchObject({ status: 'cancelled', cost_micros: 16, error: { code: 'CANCELLED' } });
  });

  describe('confidence escalation (route plan)', () => {
    const withLogprobs = (content: string, logprob: number): CallOutcome => {
      const completion = chatCompletion(content);
      completion.choices[0]!.logprobs = { content: content.split(' ').map((token) => ({ token, logprob, top_logprobs: [] })) };
      return { ok: true, completion, tokens: tokens(10, 5), deltas: 0 };
    };
    const plan = (threshold: number) => ({
      policy: 'p',
      reason: 'r',
      targets: [
        { ...target('small'), role: 'primary' as const, escalate_if_mean_logprob_below: threshold },
        { ...target('other'), role: 'other-deployment' as const },
        { ...target('large'), role: 'escalation' as const },
      ],
    });

    it('discards (and charges) an unsure small answer, asking the escalation target and skipping the rest', async () => {
      runner.scripts.small = async () => withLogprobs('maybe this one', -2.5);
      runner.scripts.large = async () => answer('the answer');
      await useCase.execute(RunInferenceCommand.create(request({ plan: plan(-1) }), 1, 5));
      expect(runner.calls.map((c) => [c.target.model, c.body.logprobs ?? false])).toEqual([
        ['small', true],
        ['large', false],
      ]);
      expect(events.on(Topics.usage).map((u) => [u.model, u.fallback_step])).toEqual([
        ['small', 'primary'],
        ['large', 'escalation'],
      ]);
      expect(results.finished).toEqual([expect.objectContaining({ model: 'large', fallback_used: true, fallback_step: 'escalation' })]);
    });

    it('keeps a confident small answer, without the logprobs the caller did not ask for', async () => {
      runner.scripts.small = async () => withLogprobs('surely this one', -0.1);
      await useCase.execute(RunInferenceCommand.create(request({ plan: plan(-1) }), 1, 5));
      expect(runner.calls.map((c) => c.target.model)).toEqual(['small']);
      const [finished] = results.finished;
      expect(finished).toMatchObject({ model: 'small', fallback_step: 'primary' });
      expect(finished!.response!.choices[0]!.logprobs ?? null).toBeNull();
    });

    it('never escalates a stream: its tokens reached the caller before any check', async () => {
      runner.scripts.small = async () => withLogprobs('streamed already', -5);
      await useCase.execute(RunInferenceCommand.create(request({ mode: 'stream', plan: plan(-1) }), 1, 5));
      expect(runner.calls.map((c) => [c.target.model, c.body.logprobs ?? false])).toEqual([['small', false]]);
    });
  });

  describe('answer-check cascade (route plan)', () => {
    const checker = AnswerCheck.parse(JSON.parse(readFileSync(join(__dirname, '../../../../../../infra/routing/answer-check.json'), 'utf8')));
    const question = 'A robe takes 2 bolts of blue fiber and half that much white fiber. How many bolts in total does it take?';
    const plan = {
      policy: 'p',
      reason: 'r',
      targets: [
        { ...target('small'), role: 'primary' as const, answer_check: {} },
        { ...target('other'), role: 'other-deployment' as const, answer_check: {} },
        { ...target('large'), role: 'escalation' as const },
        { ...target('cheap'), role: 'cheaper-model' as const },
      ],
    };
    const cascaded = (overrides: Partial<InferenceRequestV1> = {}) => request({ body: { model: 'smart', messages: [{ role: 'user', content: question }] }, plan, ...overrides });
    let cascade: RunInferenceUseCase;
    beforeEach(() => {
      cascade = new RunInferenceUseCase(
        runner,
        outbox,
        lease,
        events,
        results,
        cancellation,
        new InferencePolicies({ ...DEFAULT_POLICY_SETTINGS, INFERENCE_LEASE_MS: 1_000, INFERENCE_LEASE_WAIT_MS: 0 }, undefined, undefined, Math.random, checker),
        quietLogger(),
      );
    });

    it('keeps a confident weak answer: one call, no logprobs asked, the score in the result', async () => {
      runner.scripts.small = async () => answer('It takes 2 / 2 = 1 bolt of white fiber, so 2 + 1 = 3 bolts. The answer is 3.');
      await cascade.execute(RunInferenceCommand.create(cascaded(), 1, 5));
      expect(runner.calls.map((c) => [c.target.model, c.body.logprobs ?? false])).toEqual([['small', false]]);
      expect(events.on(Topics.usage).map((u) => [u.model, u.fallback_step, u.call_id])).toEqual([['small', 'primary', 'c1']]);
      expect(results.finished).toEqual([
        expect.objectContaining({
          model: 'small',
          fallback_step: 'primary',
          escalation: expect.objectContaining({ check: 'answer-check', escalated: false, reason: 'confident', checked_model: 'small', threshold: checker.model.default_threshold }),
        }),
      ]);
    });

    it('escalates a wrong-looking weak answer: both calls charged once, the escalation marked, the weak score recorded', async () => {
      runner.scripts.small = async () => answer('It takes 2 / 2 = 2 bolts, roughly 4.5 in total, approximately.');
      runner.scripts.large = async () => answer('2 / 2 = 1; 2 + 1 = 3. The answer is 3.', tokens(10, 9));
      await cascade.execute(RunInferenceCommand.create(cascaded(), 1, 5));
      expect(runner.calls.map((c) => c.target.model)).toEqual(['small', 'large']);
      expect(events.on(Topics.usage).map((u) => [u.model, u.fallback_step, u.call_id, u.cost_micros])).toEqual([
        ['small', 'primary', 'c1', 20],
        ['large', 'escalation', 'c2', 28],
      ]);
      const [finished] = results.finished;
      expect(finished).toMatchObject({
        model: 'large',
        fallback_step: 'escalation',
        fallback_used: true,
        cost_micros: 48,
        escalation: { escalated: true, reason: 'unsure', checked_model: 'small' },
      });
      expect(finished!.escalation!.score!).toBeGreaterThanOrEqual(checker.model.default_threshold);
      expect(finished!.response!.choices[0]!.message.content).toContain('The answer is 3');
    });

    it('keeps the weak answer when the escalation target fails, instead of falling to a cheaper model', async () => {
      runner.scripts.small = async () => answer('about 4.5 bolts, approximately');
      runner.scripts.large = async () => failure(new InferenceError('PROVIDER_UNAVAILABLE', '503', true));
      runner.scripts.cheap = async () => answer('never asked');
      await cascade.execute(RunInferenceCommand.create(cascaded(), 1, 5));
      expect(runner.calls.map((c) => c.target.model)).toEqual(['small', 'large']);
      expect(results.finished).toEqual([
        expect.objectContaining({ model: 'small', fallback_step: 'primary', escalation: expect.objectContaining({ escalated: false, reason: 'escalation-failed' }) }),
      ]);
      expect(events.on(Topics.usage).map((u) => u.call_id)).toEqual(['c1']);
    });

    it('does not escalate past the deadline: the weak answer is returned with the reason', async () => {
      const req = cascaded({ deadline_at: new Date(Date.now() + 60_000).toISOString() });
      runner.scripts.small = async () => {
        req.deadline_at = new Date(Date.now() - 1).toISOString();
        return answer('about 4.5 bolts, approximately');
      };
      runner.scripts.large = async () => answer('never asked');
      await cascade.execute(RunInferenceCommand.create(req, 1, 5));
      expect(runner.calls.map((c) => c.target.model)).toEqual(['small']);
      expect(results.finished).toEqual([
        expect.objectContaining({ status: 'succeeded', model: 'small', escalation: expect.objectContaining({ escalated: false, reason: 'deadline' }) }),
      ]);
    });

    it('stops when the caller cancels during the escalation, charging both calls', async () => {
      runner.scripts.small = async () => answer('about 4.5 bolts, approximately');
      runner.scripts.large = async () => {
        cancellation.cancel();
        return failure(new InferenceError('CANCELLED', 'cancelled', false), { cancelled: true, tokens: tokens(10, 2) });
      };
      await cascade.execute(RunInferenceCommand.create(cascaded(), 1, 5));
      expect(results.finished).toEqual([expect.objectContaining({ status: 'cancelled' })]);
      expect(events.on(Topics.usage).map((u) => [u.call_id, u.status])).toEqual([
        ['c1', 'succeeded'],
        ['c2', 'cancelled'],
      ]);
    });
  });
});
