import { cacheHitOutcome, ExactCacheReader, exactCacheKey, type ExactCacheStore } from '@llm/cache-key';
import { Topics, type ChatCompletion, type ChatRequestBody, type LlmResultV1, type RequestMode } from '@llm/contracts';
import { KafkaError } from '@llm/kafka';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { TenantKeys } from '@llm/redis';
import { RecordingResults } from '@llm/result-stream/testing';
import { createLogger, MetricsRegistry } from '@llm/telemetry';
import { llmRequest } from '@llm/testing';
import { RequestStatusStore, type RequestStatusRecord } from '../request-status.repository';
import { CacheHitRecorder } from './cache-hit.recorder';
import { ExactCacheFastPath } from './exact-cache.fast-path';

const completion: ChatCompletion = {
  id: 'orig',
  object: 'chat.completion',
  created: 1,
  model: 'sim-small',
  choices: [{ index: 0, message: { role: 'assistant', content: 'four' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
};
const question: ChatRequestBody = { model: 'auto', temperature: 0, messages: [{ role: 'user', content: 'what is 2+2' }] };

class MapStore implements ExactCacheStore {
  readonly entries = new Map<string, string>();
  reads = 0;
  failWith?: Error;
  async get(key: string) {
    this.reads += 1;
    if (this.failWith) throw this.failWith;
    return this.entries.get(key) ?? null;
  }
  put(tenantId: string, body: ChatRequestBody, raw: string) {
    this.entries.set(new TenantKeys(tenantId).exactCache(exactCacheKey(tenantId, body)), raw);
  }
}

class FakeStatus extends RequestStatusStore {
  readonly accepted = new Map<string, RequestMode>();
  readonly outcomes: LlmResultV1[] = [];
  failWith?: Error;
  async saveAccepted(tenant: string, id: string, mode: RequestMode) {
    this.accepted.set(`${tenant}/${id}`, mode);
  }
  async delete() {}
  async saveOutcome(result: LlmResultV1) {
    if (this.failWith) throw this.failWith;
    this.outcomes.push(result);
  }
  async find(): Promise<RequestStatusRecord | undefined> {
    return undefined;
  }
}

const silent = createLogger({ service: 'test', level: 'silent' });

describe('ExactCacheFastPath', () => {
  let store: MapStore;
  let status: FakeStatus;
  let results: RecordingResults;
  let events: InMemoryEventPublisher;
  let metrics: MetricsRegistry;
  let recorder: CacheHitRecorder;
  const fastPath = (enabled = true) =>
    new ExactCacheFastPath(new ExactCacheReader(store, { cacheSampled: false }), results, status, recorder, { EXACT_CACHE_FAST_PATH: enabled }, silent, metrics);
  const counted = async (name: string) => (await metrics.render()).split('\n').filter((l) => l.startsWith(name));

  beforeEach(() => {
    store = new MapStore();
    status = new FakeStatus();
    results = new RecordingResults();
    events = new InMemoryEventPublisher();
    metrics = new MetricsRegistry('test', { defaultMetrics: false });
    recorder = new CacheHitRecorder(events, silent, metrics);
    store.put('acme', question, JSON.stringify(completion));
  });

  it('finishes a hit in the status store and on the stream, then records its result and zero-cost usage', async () => {
    const request = llmRequest({ tenant_id: 'acme', mode: 'stream', body: question });
    const answer = await fastPath().answer(request);
    expect(answer).toMatchObject({ streamEntryId: '0-1', result: { request_id: request.request_id, status: 'succeeded', source: 'cache', cost_micros: 0 } });
    expect(answer!.result.response!.choices).toEqual(completion.choices);
    expect(status.outcomes).toEqual([answer!.result]);
    expect(results.terminals).toEqual([answer!.result]);
    // The result goes to llm.results.v1 through the recorder, not through publish(): nobody waits for it.
    expect(results.finished).toEqual([]);
    await recorder.drain();
    expect(events.on(Topics.results)).toEqual([answer!.result]);
    expect(events.on(Topics.usage)).toEqual([expect.objectContaining({ request_id: request.request_id, call_id: 'cache', source: 'cache', cost_micros: 0, tokens_in: 7 })]);
    expect(await counted('ingress_exact_cache_fast_path_total')).toEqual(['ingress_exact_cache_fast_path_total{outcome="hit",service="test"} 1']);
  });

  describe('a read started before admission (prefetch)', () => {
    it('is used by the lookup of the same request: one read in all', async () => {
      const request = llmRequest({ tenant_id: 'acme', mode: 'sync', body: question });
      const prefetched = fastPath().prefetch(request);
      expect(prefetched).toBeDefined();
      const { answer } = await fastPath().lookup(request, new Date(), prefetched);
      expect(answer?.result).toMatchObject({ request_id: request.request_id, source: 'cache' });
      expect(store.reads).toBe(1);
    });

    it('is ignored when admission changed the request since (another key): the lookup reads its own key', async () => {
      const body = { ...question };
      const request = llmRequest({ tenant_id: 'acme', mode: 'sync', body });
      const prefetched = fastPath().prefetch(request);
      body.model = 'sim-large'; // a screening `route` action swaps the model in place
      expect(await fastPath().lookup(request, new Date(), prefetched)).toEqual({ miss: { cacheKey: exactCacheKey('acme', body) } });
      expect(store.reads).toBe(2);
    });

    it("is never another tenant's entry", async () => {
      const prefetched = fastPath().prefetch(llmRequest({ tenant_id: 'acme', mode: 'sync', body: question }));
      const theirs = llmRequest({ tenant_id: 'globex', mode: 'sync', body: question });
      expect((await fastPath().lookup(theirs, new Date(), prefetched)).answer).toBeUndefined();
    });

    it('is read again by the lookup when it failed', async () => {
      store.failWith = new Error('redis down');
      const request = llmRequest({ tenant_id: 'acme', mode: 'sync', body: question });
      const prefetched = fastPath().prefetch(request);
      await prefetched!.entry;
      store.failWith = undefined;
      expect((await fastPath().lookup(request, new Date(), prefetched)).answer).toBeDefined();
      expect(store.reads).toBe(2);
    });

    it.each([
      ['the request samples', llmRequest({ tenant_id: 'acme', body: { ...question, temperature: 0.7 } })],
      ['an upstream sent it on llm.inbound.v1', llmRequest({ tenant_id: 'acme', mode: 'kafka', body: question })],
      ['the caller asked for a refresh', llmRequest({ tenant_id: 'acme', cache: 'refresh', body: question })],
    ])('is not made when %s', (_what, request) => {
      expect(fastPath().prefetch(request)).toBeUndefined();
      expect(store.reads).toBe(0);
    });
  });

  it.each([
    ['another tenant asks the same question', llmRequest({ tenant_id: 'globex', body: question }), 1],
    ['the request samples', llmRequest({ tenant_id: 'acme', body: { ...question, temperature: 0.7 } }), 0],
    ['an upstream sent it on llm.inbound.v1', llmRequest({ tenant_id: 'acme', mode: 'kafka', body: question }), 0],
  ])('is a miss when %s', async (_what, request, reads) => {
    expect(await fastPath().answer(request)).toBeUndefined();
    expect(store.reads).toBe(reads);
    expect(status.outcomes).toEqual([]);
    await recorder.drain();
    expect(events.events).toEqual([]);
  });

  it('says where a definite miss is keyed, as the cache service would forward it, and claims no miss it did not look up', async () => {
    const key = exactCacheKey('acme', { ...question, messages: [{ role: 'user', content: 'new' }] });
    expect(await fastPath().lookup(llmRequest({ tenant_id: 'acme', body: { ...question, messages: [{ role: 'user', content: 'new' }] } }))).toEqual({ miss: { cacheKey: key } });
    // refresh: no lookup, but the key travels so the fresh answer is stored; off and sampled requests: no key.
    expect(await fastPath().lookup(llmRequest({ tenant_id: 'acme', cache: 'refresh', body: question }))).toEqual({ miss: { cacheKey: exactCacheKey('acme', question) } });
    expect(await fastPath().lookup(llmRequest({ tenant_id: 'acme', cache: 'off', body: question }))).toEqual({ miss: { cacheKey: undefined } });
    expect(await fastPath().lookup(llmRequest({ tenant_id: 'acme', body: { ...question, temperature: 0.7 } }))).toEqual({ miss: { cacheKey: undefined } });
    expect(store.reads).toBe(1);
    // Not looked up (an upstream's request, switched off, Redis down): neither an answer nor a miss.
    expect(await fastPath().lookup(llmRequest({ tenant_id: 'acme', mode: 'kafka', body: question }))).toEqual({});
    expect(await fastPath(false).lookup(llmRequest({ tenant_id: 'acme', body: question }))).toEqual({});
    store.failWith = new Error('redis down');
    expect(await fastPath().lookup(llmRequest({ tenant_id: 'acme', body: question }))).toEqual({});
  });

  it('does nothing when switched off', async () => {
    expect(await fastPath(false).answer(llmRequest({ tenant_id: 'acme', body: question }))).toBeUndefined();
    expect(store.reads).toBe(0);
  });

  it('treats a corrupt entry, a Redis failure and a failed status write as a miss, and records nothing', async () => {
    store.put('acme', question, '{"choices": [');
    expect(await fastPath().answer(llmRequest({ tenant_id: 'acme', body: question }))).toBeUndefined();

    store.failWith = new Error('connection reset');
    expect(await fastPath().answer(llmRequest({ tenant_id: 'acme', body: question }))).toBeUndefined();

    store.failWith = undefined;
    store.put('acme', question, JSON.stringify(completion));
    status.failWith = new Error('redis down');
    expect(await fastPath().answer(llmRequest({ tenant_id: 'acme', body: question }))).toBeUndefined();

    await recorder.drain();
    expect(events.events).toEqual([]);
    expect(await counted('ingress_exact_cache_fast_path_total')).toEqual([
      'ingress_exact_cache_fast_path_total{outcome="miss",service="test"} 1',
      'ingress_exact_cache_fast_path_total{outcome="error",service="test"} 2',
    ]);
  });
});

describe('CacheHitRecorder', () => {
  it('counts a publish that fails instead of throwing, and still sends the other event', async () => {
    const events = new InMemoryEventPublisher();
    const metrics = new MetricsRegistry('test', { defaultMetrics: false });
    const recorder = new CacheHitRecorder(events, silent, metrics);
    const request = llmRequest({ tenant_id: 'acme', body: question });
    const { result, usage } = cacheHitOutcome(request, { key: 'a'.repeat(64), completion }, 1);
    events.failNext = new KafkaError('PUBLISH_FAILED', 'broker unavailable', true);
    recorder.record(result, usage);
    await recorder.drain();
    expect(events.on(Topics.results)).toEqual([result]);
    expect(events.on(Topics.usage)).toEqual([]);
    expect((await metrics.render()).split('\n')).toContain('ingress_cache_hit_records_failed_total{topic="llm.usage.v1",service="test"} 1');
  });
});
