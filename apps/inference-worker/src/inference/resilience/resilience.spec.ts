import type { RouteTarget } from '@llm/contracts';
import { chatCompletion } from '@llm/testing';
import type { CallOutcome } from '../calls/provider-call.runner';
import { InferenceError } from '../inference.errors';
import { CircuitBreakers } from './circuit-breakers';
import type { DeploymentLimiter } from './deployment-limiter';
import { GuardedCallRunner } from './guarded-call.runner';
import { fullJitterMs, RetryBudget } from './retry-policy';
import { StructuredOutputValidator } from './structured-output';

const target: RouteTarget = { model: 'm', provider: 'sim', deployment: 'm', price_in_micros_per_mtok: 1, price_out_micros_per_mtok: 1, timeout_ms: 1_000 };
const failed = (code: 'PROVIDER_RATE_LIMITED' | 'PROVIDER_REJECTED'): CallOutcome => ({
  ok: false,
  error: new InferenceError(code, code, code !== 'PROVIDER_REJECTED'),
  deltas: 0,
  cancelled: false,
});
const ok: CallOutcome = { ok: true, completion: chatCompletion('hi'), tokens: { tokensIn: 1, cachedIn: 0, tokensOut: 1, estimated: false }, deltas: 0 };

describe('fullJitterMs', () => {
  it('draws from [0, min(cap, base * 2^round))', () => {
    expect(fullJitterMs(0, 100, 1_000, () => 0.999)).toBe(99);
    expect(fullJitterMs(3, 100, 1_000, () => 0.5)).toBe(400);
    expect(fullJitterMs(10, 100, 1_000, () => 0.5)).toBe(500);
    expect(fullJitterMs(2, 100, 1_000, () => 0)).toBe(0);
  });
});

describe('RetryBudget', () => {
  it('allows retries up to the ratio of first calls in the window plus the floor, and forgets old windows', () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0.1, minPerS: 0, windowMs: 10_000 }, () => now);
    for (let i = 0; i < 50; i++) budget.recordRequest();
    const granted = Array.from({ length: 10 }, () => budget.tryRetry()).filter(Boolean).length;
    expect(granted).toBe(5);
    now = 11_000;
    expect(budget.tryRetry()).toBe(false);
    const floor = new RetryBudget({ ratio: 0, minPerS: 1, windowMs: 10_000 }, () => now);
    expect(Array.from({ length: 20 }, () => floor.tryRetry()).filter(Boolean).length).toBe(10);
  });
});

describe('CircuitBreakers', () => {
  it('opens above the failure ratio once the minimum volume is reached, answers CIRCUIT_OPEN without calling, then lets one probe through', async () => {
    let now = 1_000_000;
    const spy = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const breakers = new CircuitBreakers({ threshold: 0.5, windowMs: 60_000, minCalls: 6, halfOpenMs: 5_000 });
      let calls = 0;
      const call = (o: CallOutcome) => () => (calls++, Promise.resolve(o));
      // A request the deployment rejected shows it alive: it counts as a success, never against it.
      const other = { ...target, deployment: 'other' };
      for (let i = 0; i < 10; i++) await breakers.run(other, call(failed('PROVIDER_REJECTED')));
      expect(breakers.state(other)).toBe('closed');
      await breakers.run(target, call(ok));
      for (let i = 0; i < 4; i++) await breakers.run(target, call(failed('PROVIDER_RATE_LIMITED')));
      expect(breakers.state(target)).toBe('closed');
      await breakers.run(target, call(failed('PROVIDER_RATE_LIMITED')));
      expect(breakers.state(target)).toBe('open');
      calls = 0;
      const skipped = await breakers.run(target, call(ok));
      expect(skipped).toMatchObject({ ok: false, notCalled: true, error: { code: 'CIRCUIT_OPEN', retryable: true } });
      expect(calls).toBe(0);
      now += 5_000;
      // Half-open: one probe goes through, and while it runs everyone else skips the deployment at once
      // (they never queue behind a probe that may hang); a success closes the breaker.
      let finishProbe!: (o: CallOutcome) => void;
      const probe = breakers.run(target, () => (calls++, new Promise<CallOutcome>((resolve) => (finishProbe = resolve))));
      expect(await breakers.run(target, call(ok))).toMatchObject({ notCalled: true, error: { code: 'CIRCUIT_OPEN' } });
      expect(await breakers.run(target, call(ok))).toMatchObject({ notCalled: true });
      finishProbe(ok);
      expect(await probe).toBe(ok);
      expect(calls).toBe(1);
      expect(breakers.state(target)).toBe('closed');
    } finally {
      spy.mockRestore();
    }
  });
});

describe('GuardedCallRunner', () => {
  const openLimiter = { acquire: async () => ({ release: async () => undefined }), cooldown: async () => undefined } as unknown as DeploymentLimiter;
  const spec = {
    target,
    body: { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] },
    stream: false,
    callId: 't/r/c1',
    onDelta: async () => undefined,
    stop: new AbortController().signal,
  };

  it('counts every call it made in the deployment health, an error only when the deployment is at fault', async () => {
    const recorded: [string, boolean][] = [];
    const health = { recordOutcome: async (id: string, okay: boolean) => void recorded.push([id, okay]) };
    const outcomes: CallOutcome[] = [
      ok,
      failed('PROVIDER_RATE_LIMITED'),
      failed('PROVIDER_REJECTED'),
      { ...(failed('PROVIDER_RATE_LIMITED') as Extract<CallOutcome, { ok: false }>), cancelled: true },
    ];
    const runner = new GuardedCallRunner(
      { run: async () => outcomes.shift()! },
      new CircuitBreakers({ threshold: 0.5, windowMs: 60_000, minCalls: 100, halfOpenMs: 60_000 }),
      openLimiter,
      { defaultOutputTokens: 16, cooldownMinRetryAfterS: 5 },
      health,
    );
    for (let i = 0; i < 4; i++) await runner.run(spec);
    // The request's own fault (rejected) and a cancelled call say nothing about the deployment.
    expect(recorded).toEqual([
      ['m', true],
      ['m', false],
    ]);
  });

  it('counts nothing for a call it never made (no room at the deployment)', async () => {
    const recorded: boolean[] = [];
    const saturated = { acquire: async () => new InferenceError('DEPLOYMENT_SATURATED', 'full', true), cooldown: async () => undefined } as unknown as DeploymentLimiter;
    const runner = new GuardedCallRunner(
      { run: async () => ok },
      new CircuitBreakers({ threshold: 0.5, windowMs: 60_000, minCalls: 100, halfOpenMs: 60_000 }),
      saturated,
      { defaultOutputTokens: 16, cooldownMinRetryAfterS: 5 },
      { recordOutcome: async (_id: string, okay: boolean) => void recorded.push(okay) },
    );
    expect(await runner.run(spec)).toMatchObject({ ok: false, notCalled: true });
    expect(recorded).toEqual([]);
  });
});

describe('StructuredOutputValidator', () => {
  const v = new StructuredOutputValidator();
  const body = (response_format: NonNullable<Parameters<StructuredOutputValidator['problem']>[0]['response_format']>) => ({
    model: 'm',
    messages: [{ role: 'user' as const, content: 'q' }],
    response_format,
  });
  const schema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };

  it('accepts what was asked for, and says precisely what is wrong otherwise', () => {
    expect(v.problem(body({ type: 'json_object' }), chatCompletion('{"a":1}'))).toBeUndefined();
    expect(v.problem(body({ type: 'json_object' }), chatCompletion('```json\n{"a":1}\n```'))).toMatch(/not valid JSON/);
    expect(v.problem(body({ type: 'json_object' }), chatCompletion('"a"'))).toMatch(/JSON object/);
    expect(v.problem(body({ type: 'json_object' }), chatCompletion(null))).toMatch(/empty/);
    expect(v.problem(body({ type: 'json_schema', json_schema: { name: 'n', schema } }), chatCompletion('{"n":2}'))).toBeUndefined();
    expect(v.problem(body({ type: 'json_schema', json_schema: { name: 'n', schema } }), chatCompletion('{"n":"two"}'))).toMatch(/schema "n": answer\/n must be integer/);
    expect(v.problem(body({ type: 'text' }), chatCompletion('free text'))).toBeUndefined();
  });

  it('does not judge a tool call or a cut answer as a format failure, nor an answer to a schema it cannot compile', () => {
    const toolCall = chatCompletion(null, { choices: [{ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'tool_calls' }] });
    expect(v.problem(body({ type: 'json_object' }), toolCall)).toBeUndefined();
    const bad = { type: 'json_schema' as const, json_schema: { name: 'x', schema: { type: 'no-such-type' } } };
    expect(v.problem(body(bad), chatCompletion('{}'))).toBeUndefined();
  });
});
