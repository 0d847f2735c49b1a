import { exactCacheKey } from '@llm/cache-key';
import { Topics, type ChatCompletion, type LlmRequestV1, type LlmResultV1 } from '@llm/contracts';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import type { ResultPublisher } from '@llm/result-stream';
import { MetricsRegistry } from '@llm/telemetry';
import { llmRequest, llmResult } from '@llm/testing';
import type { ExactCacheRepository } from '../../exact-cache.repository';
import { StoreResultCommand } from '../store-result/store-result.command';
import { StoreResultUseCase } from '../store-result/store-result.use-case';
import { LookupRequestCommand } from './lookup-request.command';
import { LookupRequestUseCase } from './lookup-request.use-case';

class FakeCache {
  readonly entries = new Map<string, ChatCompletion>();
  async find(tenantId: string, hash: string) {
    return this.entries.get(`${tenantId}/${hash}`);
  }
  async save(tenantId: string, hash: string, completion: ChatCompletion) {
    this.entries.set(`${tenantId}/${hash}`, completion);
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

const request = (overrides: Partial<LlmRequestV1> = {}) => llmRequest({ body: { model: 'auto', messages: [{ role: 'user', content: 'what is 2+2' }] }, ...overrides });

describe('exact cache use cases', () => {
  let cache: FakeCache;
  let events: InMemoryEventPublisher;
  let finished: LlmResultV1[];
  let lookup: LookupRequestUseCase;
  let store: StoreResultUseCase;

  beforeEach(() => {
    cache = new FakeCache();
    events = new InMemoryEventPublisher();
    finished = [];
    const results = { publish: async (r: LlmResultV1) => (finished.push(r), true) } as unknown as ResultPublisher;
    lookup = new LookupRequestUseCase(cache as unknown as ExactCacheRepository, events, results, new MetricsRegistry('test', { defaultMetrics: false }));
    store = new StoreResultUseCase(cache as unknown as ExactCacheRepository);
  });

  it('sends a miss to routing with its cache key, or to retrieval when it asks for RAG', async () => {
    const plain = request();
    const rag = request({ rag: { collection: 'docs', top_k: 3 } });
    await lookup.execute(LookupRequestCommand.create(plain, 1));
    await lookup.execute(LookupRequestCommand.create(rag, 1));
    expect(events.on(Topics.route)).toEqual([{ ...plain, cache_key: exactCacheKey('acme', plain.body), context: [] }]);
    expect(events.on(Topics.retrieve).map((r) => r.request_id)).toEqual([rag.request_id]);
    expect(finished).toEqual([]);
  });

  it('answers a hit at zero cost and still records usage', async () => {
    const req = request();
    await cache.save('acme', exactCacheKey('acme', req.body), completion);
    await lookup.execute(LookupRequestCommand.create(req, 1));
    expect(events.on(Topics.route)).toEqual([]);
    expect(events.on(Topics.usage)[0]).toMatchObject({ request_id: req.request_id, source: 'cache', cost_micros: 0, tokens_in: 7 });
    expect(finished[0]).toMatchObject({ status: 'succeeded', source: 'cache', cost_micros: 0 });
    expect(finished[0]!.response!.choices[0]!.message.content).toBe('cached answer');
    expect(finished[0]!.response!.id).toBe(`chatcmpl-${req.request_id}`);
  });

  it("never serves one tenant's cached answer to another", async () => {
    const req = request();
    await cache.save('acme', exactCacheKey('acme', req.body), completion);
    await lookup.execute(LookupRequestCommand.create({ ...req, tenant_id: 'globex' }, 1));
    expect(finished).toEqual([]);
    expect(events.on(Topics.route)).toHaveLength(1);
  });

  it('stores model answers but not cache replays, failures or truncated answers', async () => {
    const base = llmResult({ cache_key: 'c'.repeat(64), response: completion, usage: completion.usage!, cost_micros: 5 });
    expect(await store.execute(StoreResultCommand.create(base))).toBe(true);
    expect(await store.execute(StoreResultCommand.create({ ...base, source: 'cache' }))).toBe(false);
    expect(await store.execute(StoreResultCommand.create({ ...base, status: 'failed' }))).toBe(false);
    const truncated = { ...completion, choices: [{ ...completion.choices[0]!, finish_reason: 'length' as const }] };
    expect(await store.execute(StoreResultCommand.create({ ...base, response: truncated }))).toBe(false);
  });
});
