import { Topics, type LlmRequestV1, type LlmResultV1, type RequestMode, type TopicInput, type TopicName } from '@llm/contracts';
import { EventPublisher, KafkaError, type PublishOptions } from '@llm/kafka';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { createLogger } from '@llm/telemetry';
import { llmResult } from '@llm/testing';
import type { CacheStageView } from '@llm/cache-key';
import type { ExactCacheFastPath, FastPathLookup } from '../../exact-cache/exact-cache.fast-path';
import { RequestRegistry, type RegisteredRequest, type RequestRegistration } from '../../identity/request-registry';
import { RequestStatusStore, type RequestStatusRecord } from '../../request-status.repository';
import { RequestError } from '../../requests.errors';
import { AcceptRequestCommand, type AcceptRequestInput } from './accept-request.command';
import { AcceptRequestUseCase } from './accept-request.use-case';

class FakeRegistry extends RequestRegistry {
  readonly rows = new Map<string, RegisteredRequest & { upstreamId?: string }>();
  async claim(tenantId: string, requestId: string, r: RequestRegistration) {
    const existing = this.rows.get(`${tenantId}/${requestId}`);
    if (existing) return existing;
    this.rows.set(`${tenantId}/${requestId}`, { ...r, accepted: false });
    return undefined;
  }
  async find(tenantId: string, requestId: string) {
    return this.rows.get(`${tenantId}/${requestId}`);
  }
  async markAccepted(tenantId: string, requestId: string) {
    const row = this.rows.get(`${tenantId}/${requestId}`);
    if (row) row.accepted = true;
  }
  async release(tenantId: string, requestId: string) {
    if (this.rows.get(`${tenantId}/${requestId}`)?.accepted === false) this.rows.delete(`${tenantId}/${requestId}`);
  }
}

class FakeStatus extends RequestStatusStore {
  readonly accepted = new Map<string, { mode: RequestMode; deadlineAt?: string }>();
  failNext?: Error;
  async saveAccepted(tenant: string, id: string, mode: RequestMode, _createdAt: string, deadlineAt?: string) {
    if (this.failNext) throw this.failNext;
    this.accepted.set(`${tenant}/${id}`, { mode, deadlineAt });
  }
  async delete(tenant: string, id: string) {
    this.accepted.delete(`${tenant}/${id}`);
  }
  async saveOutcome(_result: LlmResultV1) {}
  async find(): Promise<RequestStatusRecord | undefined> {
    return undefined;
  }
}

/** Answers the questions it is told are cached; records which requests it was asked about. */
class FakeFastPath implements Pick<ExactCacheFastPath, 'lookup' | 'prefetch'> {
  readonly cached = new Set<string>();
  readonly asked: LlmRequestV1[] = [];
  /** What a lookup that could not be made (Redis down) returns: neither an answer nor a definite miss. */
  failing = false;
  prefetch() {
    return undefined;
  }
  async lookup(request: LlmRequestV1): Promise<FastPathLookup> {
    this.asked.push(request);
    if (this.failing) return {};
    const question = request.body.messages[0]?.content;
    if (typeof question !== 'string' || !this.cached.has(question)) return { miss: { cacheKey: `key-of-${String(question)}` } };
    return { answer: { streamEntryId: '1-0', result: llmResult({ request_id: request.request_id, tenant_id: request.tenant_id, source: 'cache', cost_micros: 0 }) } };
  }
}

/** The cache service's announcement as ingress reads it. */
class FakeCacheStage implements Pick<CacheStageView, 'canSkip'> {
  skippable = false;
  async canSkip() {
    return this.skippable;
  }
}

/** The broker kept the message but the acknowledgement never came back: the producer times out. */
class TimingOutAfterWritePublisher extends EventPublisher {
  readonly kept = new InMemoryEventPublisher();
  timeouts = 0;
  async publish<T extends TopicName>(topic: T, payload: TopicInput<T>, options?: PublishOptions): Promise<void> {
    await this.kept.publish(topic, payload, options);
    if (this.timeouts > 0) {
      this.timeouts--;
      throw new KafkaError('PUBLISH_FAILED', 'request timed out', true, { cause: new Error('Request Produce(key: 0, version: 7) timed out') });
    }
  }
}

const silent = createLogger({ service: 'test', level: 'silent' });
const SETTINGS = { DEADLINE_REALTIME_PAID_S: 120, DEADLINE_REALTIME_FREE_S: 60, DEADLINE_BATCH_S: 86_400, ACCEPTANCE_IN_PROGRESS_MS: 30_000, CACHE_STAGE_SKIP: true };

const input = (overrides: Partial<AcceptRequestInput> = {}): AcceptRequestInput => ({
  tenantId: 'acme',
  tier: 'paid',
  mode: 'sync',
  body: { model: 'auto', messages: [{ role: 'user', content: 'hello' }] },
  ...overrides,
});

const nested = (depth: number): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

describe('AcceptRequestCommand', () => {
  it.each([
    ['a non-object body', { body: 'hello' }],
    ['no messages', { body: { model: 'auto' } }],
    ['a wrong type', { body: { model: 42, messages: [{ role: 'user', content: 'x' }] } }],
    ['an oversized idempotency key', { idempotencyKey: 'k'.repeat(300) }],
    ['a user id with spaces', { userId: 'alice smith' }],
    ['bad rag options', { rag: { collection: '../etc', top_k: 1000 } }],
    ['10,000 levels of arrays in a message', { body: { model: 'auto', messages: [{ role: 'user', content: nested(10_000) }] } }],
    [
      '10,000 levels of objects in a tool schema',
      { body: { model: 'auto', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f', parameters: { p: nested(10_000) } } }] } },
    ],
  ])('rejects %s with INVALID_REQUEST', (_what, patch) => {
    const err = (() => {
      try {
        AcceptRequestCommand.create(input(patch as Partial<AcceptRequestInput>));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RequestError);
    expect(err).toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('derives the band from the tier, lets callers ask for batch, and detects streaming', () => {
    expect(AcceptRequestCommand.create(input()).priority).toBe('realtime-paid');
    expect(AcceptRequestCommand.create(input({ tier: 'free' })).priority).toBe('realtime-free');
    expect(AcceptRequestCommand.create(input({ priorityHint: 'batch' })).priority).toBe('batch');
    expect(AcceptRequestCommand.create(input({ body: { model: 'auto', stream: true, messages: [{ role: 'user', content: 'x' }] } })).mode).toBe('stream');
  });

  it('ignores a tenant id smuggled into the body', () => {
    const cmd = AcceptRequestCommand.create(input({ body: { model: 'auto', tenant_id: 'globex', messages: [{ role: 'user', content: 'x' }] } }));
    expect(cmd.tenantId).toBe('acme');
    expect(cmd.body).not.toHaveProperty('tenant_id');
  });

  it('scopes an upstream id by tenant and keeps it beside the platform id', () => {
    const mine = AcceptRequestCommand.create(input({ mode: 'kafka', upstreamId: 'order-7' }));
    const theirs = AcceptRequestCommand.create(input({ mode: 'kafka', upstreamId: 'order-7', tenantId: 'globex' }));
    expect(mine.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(mine.requestId).not.toBe('order-7');
    expect(mine.requestId).not.toBe(theirs.requestId);
    expect(mine.upstreamId).toBe('order-7');
  });
});

describe('AcceptRequestUseCase', () => {
  let registry: FakeRegistry;
  let status: FakeStatus;
  let events: InMemoryEventPublisher;
  let fastPath: FakeFastPath;
  let cacheStage: FakeCacheStage;
  let useCase: AcceptRequestUseCase;

  beforeEach(() => {
    registry = new FakeRegistry();
    status = new FakeStatus();
    events = new InMemoryEventPublisher();
    fastPath = new FakeFastPath();
    cacheStage = new FakeCacheStage();
    useCase = new AcceptRequestUseCase(registry, status, events, SETTINGS, silent, fastPath, cacheStage);
  });

  it('records the request as accepted and makes it durable on llm.requests.v1 with its deadline', async () => {
    const now = new Date('2026-11-23T10:00:00.000Z');
    const { requestId, replay, deadlineAt } = await useCase.execute(AcceptRequestCommand.create(input({ tier: 'free' })), now);
    expect(replay).toBe(false);
    expect(deadlineAt).toBe('2026-11-23T10:01:00.000Z');
    expect(status.accepted.get(`acme/${requestId}`)).toEqual({ mode: 'sync', deadlineAt });
    expect(events.on(Topics.requests)[0]).toMatchObject({ request_id: requestId, tenant_id: 'acme', priority: 'realtime-free', mode: 'sync', deadline_at: deadlineAt });
    // A server-generated id cannot collide: nothing to register. A caller-chosen id is registered and marked.
    expect(registry.rows.has(`acme/${requestId}`)).toBe(false);
    const keyed = await useCase.execute(AcceptRequestCommand.create(input({ idempotencyKey: 'k-registered' })), now);
    expect(registry.rows.get(`acme/${keyed.requestId}`)?.accepted).toBe(true);
  });

  it('carries the plan’s model tiers to the router, so a route or alias can never reach a tier the plan excludes', async () => {
    const small = await useCase.execute(AcceptRequestCommand.create(input({ tier: 'free', allowedTiers: ['small'] })));
    const unrestricted = await useCase.execute(AcceptRequestCommand.create(input()));
    const published = events.on(Topics.requests);
    expect(published.find((r) => r.request_id === small.requestId)).toMatchObject({ allowed_tiers: ['small'] });
    expect(published.find((r) => r.request_id === unrestricted.requestId)?.allowed_tiers).toBeUndefined();
  });

  it('carries the plan’s screening policy with a RAG request, for the retriever to screen what it retrieves', async () => {
    const screening = { pattern_set: 'strict' as const, action: 'block' as const };
    const rag = await useCase.execute(AcceptRequestCommand.create(input({ screening, rag: { collection: 'docs', top_k: 3 } })));
    const plain = await useCase.execute(AcceptRequestCommand.create(input({ screening })));
    const published = events.on(Topics.requests);
    expect(published.find((r) => r.request_id === rag.requestId)?.screening).toEqual(screening);
    expect(published.find((r) => r.request_id === plain.requestId)?.screening).toBeUndefined();
  });

  it('gives every priority its own time budget', async () => {
    const now = new Date('2026-11-23T10:00:00.000Z');
    expect((await useCase.execute(AcceptRequestCommand.create(input()), now)).deadlineAt).toBe('2026-11-23T10:02:00.000Z');
    expect((await useCase.execute(AcceptRequestCommand.create(input({ priorityHint: 'batch' })), now)).deadlineAt).toBe('2026-11-24T10:00:00.000Z');
  });

  it('returns the first request for a repeated idempotency key and publishes once', async () => {
    const first = await useCase.execute(AcceptRequestCommand.create(input({ idempotencyKey: 'k-1' })));
    const second = await useCase.execute(AcceptRequestCommand.create(input({ idempotencyKey: 'k-1' })));
    expect(second).toMatchObject({ requestId: first.requestId, replay: true });
    expect(events.on(Topics.requests)).toHaveLength(1);
  });

  it('refuses an idempotency key reused with another body', async () => {
    await useCase.execute(AcceptRequestCommand.create(input({ idempotencyKey: 'k-2' })));
    const other = input({ idempotencyKey: 'k-2', body: { model: 'auto', messages: [{ role: 'user', content: 'different' }] } });
    await expect(useCase.execute(AcceptRequestCommand.create(other))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('runs an upstream id once per tenant and refuses it with another body', async () => {
    const event = input({ mode: 'kafka', upstreamId: 'order-1' });
    const first = await useCase.execute(AcceptRequestCommand.create(event));
    expect(await useCase.execute(AcceptRequestCommand.create(event))).toMatchObject({ requestId: first.requestId, replay: true });
    const hijack = input({ mode: 'kafka', upstreamId: 'order-1', body: { model: 'auto', messages: [{ role: 'user', content: 'free lunch' }] } });
    await expect(useCase.execute(AcceptRequestCommand.create(hijack))).rejects.toMatchObject({ code: 'REQUEST_ID_REUSED', retryable: false });
    const otherTenant = await useCase.execute(AcceptRequestCommand.create({ ...event, tenantId: 'globex' }));
    expect(otherTenant).toMatchObject({ replay: false });
    expect(otherTenant.requestId).not.toBe(first.requestId);
    expect(events.on(Topics.requests).map((r) => [r.tenant_id, r.upstream_id])).toEqual([
      ['acme', 'order-1'],
      ['globex', 'order-1'],
    ]);
  });

  it('leaves nothing behind and says retry when the broker definitely refused the request', async () => {
    events.failNext = new KafkaError('NOT_CONNECTED', 'producer is not connected', true);
    const command = AcceptRequestCommand.create(input({ idempotencyKey: 'k-3' }));
    const err = await useCase.execute(command).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOT_ACCEPTED', retryable: true });
    expect(status.accepted.size).toBe(0);
    expect(registry.rows.size).toBe(0);
  });

  it('tells a racing duplicate to retry instead of publishing a second copy', async () => {
    const command = () => AcceptRequestCommand.create(input({ mode: 'kafka', upstreamId: 'order-9' }));
    const now = new Date();
    await registry.claim('acme', command().requestId, { fingerprint: command().fingerprint, createdAt: now.toISOString() });
    await expect(useCase.execute(command(), new Date(now.getTime() + 100))).rejects.toMatchObject({ code: 'NOT_ACCEPTED', retryable: true });
    expect(events.events).toHaveLength(0);
  });

  it('frees the id when the status store is down, so the retry is a fresh request', async () => {
    status.failNext = new RequestError('UNAVAILABLE', 'redis down', true, { retryAfterS: 1 });
    await expect(useCase.execute(AcceptRequestCommand.create(input({ idempotencyKey: 'k-4' })))).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect(registry.rows.size).toBe(0);
    expect(events.events).toHaveLength(0);
  });

  it('keeps the key claimed when the publish timed out after the broker kept it, and re-publishes the same id on retry', async () => {
    const broker = new TimingOutAfterWritePublisher();
    broker.timeouts = 1;
    useCase = new AcceptRequestUseCase(registry, status, broker, SETTINGS, silent, fastPath, cacheStage);
    const command = () => AcceptRequestCommand.create(input({ idempotencyKey: 'k-5' }));

    const t0 = new Date('2026-11-23T10:00:00.000Z');
    const err = await useCase.execute(command(), t0).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOT_ACCEPTED', retryable: true, retryAfterS: 1 });
    const firstId = broker.kept.on(Topics.requests)[0]!.request_id;
    expect(registry.rows.get(`acme/${firstId}`)).toMatchObject({ accepted: false });
    expect(status.accepted.has(`acme/${firstId}`)).toBe(true);

    const retry = await useCase.execute(command(), new Date(t0.getTime() + 31_000));
    expect(retry).toMatchObject({ requestId: firstId, replay: true });
    const published = broker.kept.on(Topics.requests);
    expect(published.map((r) => r.request_id)).toEqual([firstId, firstId]);
    expect(published[1]!.created_at).toBe(published[0]!.created_at);
    expect(published[1]!.deadline_at).toBe(published[0]!.deadline_at);
    expect(registry.rows.get(`acme/${firstId}`)?.accepted).toBe(true);

    // Once confirmed, further retries are answered without publishing again.
    await useCase.execute(command(), new Date(t0.getTime() + 32_000));
    expect(broker.kept.on(Topics.requests)).toHaveLength(2);
  });

  describe('exact-cache fast path', () => {
    const cached = (overrides: Partial<AcceptRequestInput> = {}) =>
      input({ body: { model: 'auto', temperature: 0, messages: [{ role: 'user', content: 'cached question' }] }, ...overrides });
    beforeEach(() => fastPath.cached.add('cached question'));

    it('answers a hit at once without publishing it to llm.requests.v1, and marks a keyed id accepted so it replays', async () => {
      const accepted = await useCase.execute(AcceptRequestCommand.create(cached({ idempotencyKey: 'k-hit' })));
      expect(accepted).toMatchObject({ replay: false, answer: { streamEntryId: '1-0', result: { request_id: accepted.requestId, source: 'cache' } } });
      expect(fastPath.asked[0]).toMatchObject({ request_id: accepted.requestId, tenant_id: 'acme', mode: 'sync', deadline_at: accepted.deadlineAt });
      expect(events.on(Topics.requests)).toEqual([]);
      expect(registry.rows.get(`acme/${accepted.requestId}`)?.accepted).toBe(true);
      // Written alongside the lookup, so GET /v1/requests/{id} knows the request's mode and times.
      expect(status.accepted.get(`acme/${accepted.requestId}`)).toEqual({ mode: 'sync', deadlineAt: accepted.deadlineAt });

      const replay = await useCase.execute(AcceptRequestCommand.create(cached({ idempotencyKey: 'k-hit' })));
      expect(replay).toEqual({ requestId: accepted.requestId, replay: true, deadlineAt: accepted.deadlineAt });
      // A replay is answered from the first outcome: not looked up again, not published.
      expect(fastPath.asked).toHaveLength(1);
      expect(events.on(Topics.requests)).toEqual([]);
    });

    it('publishes a miss exactly as before', async () => {
      const accepted = await useCase.execute(AcceptRequestCommand.create(input()));
      expect(accepted.answer).toBeUndefined();
      expect(fastPath.asked).toHaveLength(1);
      expect(events.on(Topics.requests)).toEqual([fastPath.asked[0]]);
      expect(status.accepted.has(`acme/${accepted.requestId}`)).toBe(true);
    });

    describe('when the cache stage runs no semantic lookup', () => {
      beforeEach(() => (cacheStage.skippable = true));

      it('sends a miss straight to routing with its cache key, not through llm.requests.v1', async () => {
        const accepted = await useCase.execute(AcceptRequestCommand.create(input()));
        expect(events.on(Topics.requests)).toEqual([]);
        expect(events.on(Topics.route)).toEqual([{ ...fastPath.asked[0], cache_key: 'key-of-hello', context: [] }]);
        expect(events.on(Topics.route)[0]).toMatchObject({ request_id: accepted.requestId, deadline_at: accepted.deadlineAt });
      });

      it('sends a RAG miss to retrieval', async () => {
        await useCase.execute(AcceptRequestCommand.create(input({ rag: { collection: 'handbook', top_k: 4 } })));
        expect(events.on(Topics.retrieve)).toEqual([{ ...fastPath.asked[0], cache_key: 'key-of-hello' }]);
        expect(events.on(Topics.route)).toEqual([]);
      });

      it('keeps the stage in the path when the lookup could not be made, and for a re-publish', async () => {
        fastPath.failing = true;
        await useCase.execute(AcceptRequestCommand.create(input()));
        expect(events.on(Topics.requests)).toHaveLength(1);

        const command = () => AcceptRequestCommand.create(input({ idempotencyKey: 'k-again' }));
        const t0 = new Date('2026-11-23T10:00:00.000Z');
        await registry.claim('acme', command().requestId, { fingerprint: command().fingerprint, createdAt: t0.toISOString() });
        await useCase.execute(command(), new Date(t0.getTime() + 31_000));
        expect(events.on(Topics.requests)).toHaveLength(2);
        expect(events.on(Topics.route)).toEqual([]);
      });

      it('never skips with CACHE_STAGE_SKIP off', async () => {
        useCase = new AcceptRequestUseCase(registry, status, events, { ...SETTINGS, CACHE_STAGE_SKIP: false }, silent, fastPath, cacheStage);
        await useCase.execute(AcceptRequestCommand.create(input()));
        expect(events.on(Topics.requests)).toHaveLength(1);
        expect(events.on(Topics.route)).toEqual([]);
      });
    });

    it('never answers the re-publish of an unconfirmed acceptance from the cache: the first copy may be in the pipeline', async () => {
      const command = () => AcceptRequestCommand.create(cached({ idempotencyKey: 'k-unconfirmed' }));
      const t0 = new Date('2026-11-23T10:00:00.000Z');
      await registry.claim('acme', command().requestId, { fingerprint: command().fingerprint, createdAt: t0.toISOString() });
      const retry = await useCase.execute(command(), new Date(t0.getTime() + 31_000));
      expect(retry.answer).toBeUndefined();
      expect(fastPath.asked).toEqual([]);
      expect(events.on(Topics.requests)).toHaveLength(1);
    });
  });
});
