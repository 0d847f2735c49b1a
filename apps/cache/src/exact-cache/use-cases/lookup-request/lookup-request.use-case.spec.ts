import { ExactCacheReader, exactCacheKey, type ExactCacheStore } from '@llm/cache-key';
import { Topics, type ChatCompletion, type LlmRequestV1, type LlmResultV1 } from '@llm/contracts';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { TenantKeys } from '@llm/redis';
import { RecordingResults } from '@llm/result-stream/testing';
import { MetricsRegistry } from '@llm/telemetry';
import { llmRequest, llmResult } from '@llm/testing';
import type { ExactCacheRepository } from '../../exact-cache.repository';
import { StoreResultCommand } from '../store-result/store-result.command';
import { StoreResultUseCase } from '../store-result/store-result.use-case';
import { LookupRequestCommand } from './lookup-request.command';
import { LookupRequestUseCase } from './lookup-request.use-case';

/** Redis as the shared reader sees it, written the way the repository writes: JSON under the tenant's key. */
class FakeCache implements ExactCacheStore, Pick<ExactCacheRepository, 'save'> {
  readonly entries = new Map<string, string>();
  lookups = 0;
  async get(key: string) {
    this.lookups += 1;
    return this.entries.get(key) ?? null;
  }
  async save(tenantId: string, hash: string, completion: ChatCompletion) {
    this.entries.set(new TenantKeys(tenantId).exactCache(hash), JSON.stringify(completion));
  }
}

const completion: ChatCompletion = {
  id: 'orig',
  object: 'chat.completion',
  created: 1,
  model: 'sim-small',
  choices: [{ index: 0, message: { role: 'assistant', content: 'cached answer' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
};

const deterministic = { model: 'auto', temperature: 0, messages: [{ role: 'user' as const, content: 'what is 2+2' }] };
const request = (overrides: Partial<LlmRequestV1> = {}) => llmRequest({ body: deterministic, ...overrides });

describe('exact cache use cases', () => {
  let cache: FakeCache;
  let events: InMemoryEventPublisher;
  let results: RecordingResults;
  let lookup: LookupRequestUseCase;
  let store: StoreResultUseCase;
  const useCase = (cacheSampled = false) =>
    new LookupRequestUseCase(new ExactCacheReader(cache, { cacheSampled }), events, results, new MetricsRegistry('test', { defaultMetrics: false }));

  beforeEach(() => {
    cache = new FakeCache();
    events = new InMemoryEventPublisher();
    results = new RecordingResults();
    lookup = useCase();
    store = new StoreResultUseCase(cache);
  });

  it('sends a miss to routing with its cache key, or to retrieval when it asks for RAG', async () => {
    const plain = request();
    const rag = request({ rag: { collection: 'docs', top_k: 3 } });
    await lookup.execute(LookupRequestCommand.create(plain, 1));
    await lookup.execute(LookupRequestCommand.create(rag, 1));
    expect(events.on(Topics.route)).toEqual([{ ...plain, cache_key: exactCacheKey('acme', plain.body), context: [] }]);
    expect(events.on(Topics.retrieve)).toEqual([{ ...rag, cache_key: exactCacheKey('acme', rag.body, rag.rag) }]);
    expect(results.finished).toEqual([]);
  });

  it('keys a RAG request by its collection: the same question over another collection is a miss', async () => {
    const docs = request({ rag: { collection: 'docs', top_k: 3 } });
    await cache.save('acme', exactCacheKey('acme', docs.body, docs.rag), completion);
    await lookup.execute(LookupRequestCommand.create(request({ rag: { collection: 'wiki', top_k: 3 } }), 1));
    await lookup.execute(LookupRequestCommand.create(request(), 1));
    expect(results.finished).toEqual([]);
    await lookup.execute(LookupRequestCommand.create(docs, 1));
    expect(results.finished).toHaveLength(1);
  });

  it('passes a sampled request on without a key (never stored) unless the setting allows sampled answers', async () => {
    const sampled = request({ body: { ...deterministic, temperature: 0.9 } });
    await lookup.execute(LookupRequestCommand.create(sampled, 1));
    expect(events.on(Topics.route)).toEqual([{ ...sampled, context: [] }]);
    expect(cache.lookups).toBe(0);

    await useCase(true).execute(LookupRequestCommand.create(sampled, 1));
    expect(events.on(Topics.route)[1]!.cache_key).toBe(exactCacheKey('acme', sampled.body));
  });

  it('caches a seeded request even when it samples', async () => {
    const seeded = request({ body: { ...deterministic, temperature: 0.9, seed: 3 } });
    await lookup.execute(LookupRequestCommand.create(seeded, 1));
    expect(events.on(Topics.route)[0]!.cache_key).toBe(exactCacheKey('acme', seeded.body));
  });

  it('answers a hit at zero cost and records its usage under the fixed call id', async () => {
    const req = request();
    await cache.save('acme', exactCacheKey('acme', req.body), completion);
    await lookup.execute(LookupRequestCommand.create(req, 1));
    expect(events.on(Topics.route)).toEqual([]);
    expect(events.on(Topics.usage)).toEqual([
      expect.objectContaining({ request_id: req.request_id, tenant_id: 'acme', call_id: 'cache', attempt: 1, source: 'cache', cost_micros: 0, tokens_in: 7, tokens_out: 3 }),
    ]);
    expect(results.finished[0]).toMatchObject({ status: 'succeeded', source: 'cache', cost_micros: 0, attempt: 1 });
    expect(results.finished[0]!.response!.choices[0]!.message.content).toBe('cached answer');
    expect(results.finished[0]!.response!.id).toBe(`chatcmpl-${req.request_id}`);
  });

  it('republishes the same usage identity when a hit is redelivered after its result publish failed', async () => {
    const req = request();
    await cache.save('acme', exactCacheKey('acme', req.body), completion);
    results.failNextPublish = new Error('results topic unavailable');
    await expect(lookup.execute(LookupRequestCommand.create(req, 1))).rejects.toThrow('results topic unavailable');
    await lookup.execute(LookupRequestCommand.create(req, 2));
    const usage = events.on(Topics.usage);
    expect(usage).toHaveLength(2);
    // The ledger keys on (tenant_id, request_id, call_id): both deliveries are one row.
    expect(new Set(usage.map((u) => `${u.tenant_id}/${u.request_id}/${u.call_id}`)).size).toBe(1);
    expect(results.finished).toHaveLength(1);
  });

  it("never serves one tenant's cached answer to another", async () => {
    const req = request();
    await cache.save('acme', exactCacheKey('acme', req.body), completion);
    await lookup.execute(LookupRequestCommand.create({ ...req, tenant_id: 'globex' }, 1));
    expect(results.finished).toEqual([]);
    expect(events.on(Topics.route)).toHaveLength(1);
  });

  it('ends a request past its deadline as EXPIRED and sends nothing on, not even on a hit', async () => {
    const now = new Date();
    const late = request({ deadline_at: new Date(now.getTime() - 1).toISOString() });
    const lateRag = request({ deadline_at: new Date(now.getTime() - 1).toISOString(), rag: { collection: 'docs', top_k: 3 } });
    await cache.save('acme', exactCacheKey('acme', late.body), completion);
    await lookup.execute(LookupRequestCommand.create(late, 3), now);
    await lookup.execute(LookupRequestCommand.create(lateRag, 1), now);
    expect(events.events).toEqual([]);
    expect(results.finished).toEqual([
      expect.objectContaining({ request_id: late.request_id, status: 'expired', error: expect.objectContaining({ code: 'EXPIRED' }), attempt: 3, cost_micros: 0 }),
      expect.objectContaining({ request_id: lateRag.request_id, status: 'expired' }),
    ]);
  });

  it('passes on a request whose deadline is still ahead', async () => {
    await lookup.execute(LookupRequestCommand.create(request({ deadline_at: new Date(Date.now() + 60_000).toISOString() }), 1));
    expect(events.on(Topics.route)).toHaveLength(1);
  });

  describe('what is stored', () => {
    const base = llmResult({ cache_key: 'c'.repeat(64), response: completion, usage: completion.usage!, cost_micros: 5 });
    const endingWith = (...reasons: ChatCompletion['choices'][number]['finish_reason'][]): LlmResultV1 => ({
      ...base,
      response: { ...completion, choices: reasons.map((finish_reason, index) => ({ ...completion.choices[0]!, index, finish_reason })) },
    });

    it('stores complete model answers but not cache replays, failures or answers without a key', async () => {
      expect(await store.execute(StoreResultCommand.create(base))).toBe(true);
      expect(await store.execute(StoreResultCommand.create({ ...base, source: 'cache' }))).toBe(false);
      expect(await store.execute(StoreResultCommand.create({ ...base, status: 'failed' }))).toBe(false);
      const { cache_key: _, ...unkeyed } = base;
      expect(await store.execute(StoreResultCommand.create(unkeyed))).toBe(false);
    });

    it('does not store a stream that ended incomplete (no finish reason), truncated or filtered', async () => {
      expect(await store.execute(StoreResultCommand.create(endingWith(null)))).toBe(false);
      expect(await store.execute(StoreResultCommand.create(endingWith('length')))).toBe(false);
      expect(await store.execute(StoreResultCommand.create(endingWith('content_filter')))).toBe(false);
      expect(await store.execute(StoreResultCommand.create(endingWith('stop', null)))).toBe(false);
      expect(cache.entries.size).toBe(0);
    });

    it('stores an answer that ended in tool calls', async () => {
      expect(await store.execute(StoreResultCommand.create(endingWith('tool_calls')))).toBe(true);
    });
  });
});
