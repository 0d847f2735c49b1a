import type { ChatCompletion, ChatRequestBody } from '@llm/contracts';
import { TenantKeys } from '@llm/redis';
import { llmRequest } from '@llm/testing';
import { CACHE_HIT_CALL_ID, cacheHitOutcome } from './cache-hit';
import { decodeExactCacheEntry } from './exact-cache-entry';
import { exactCacheKey } from './exact-cache-key';
import { ExactCacheReader, type ExactCacheStore } from './exact-cache.reader';

const completion: ChatCompletion = {
  id: 'orig',
  object: 'chat.completion',
  created: 1,
  model: 'sim-small',
  choices: [{ index: 0, message: { role: 'assistant', content: 'four' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
};

const deterministic: ChatRequestBody = { model: 'auto', temperature: 0, messages: [{ role: 'user', content: 'what is 2+2' }] };

class MapStore implements ExactCacheStore {
  readonly entries = new Map<string, string>();
  readonly asked: string[] = [];
  async get(key: string) {
    this.asked.push(key);
    return this.entries.get(key) ?? null;
  }
}

describe('decodeExactCacheEntry', () => {
  it('returns a stored complete answer', () => {
    expect(decodeExactCacheEntry(JSON.stringify(completion))).toEqual(completion);
  });

  it.each([
    ['nothing stored', null],
    ['bad JSON', '{"id": "x", '],
    ['JSON that is not a completion', '{"hello":"world"}'],
    ['a JSON scalar', '42'],
    ['an answer cut short', JSON.stringify({ ...completion, choices: [{ ...completion.choices[0]!, finish_reason: 'length' }] })],
    ['an answer without choices', JSON.stringify({ ...completion, choices: [] })],
  ])('treats %s as a miss', (_what, raw) => {
    expect(decodeExactCacheEntry(raw)).toBeUndefined();
  });
});

describe('ExactCacheReader', () => {
  it('keys a deterministic request by tenant, body and RAG options, and keeps sampled requests out unless the policy allows them', () => {
    const reader = new ExactCacheReader(new MapStore(), { cacheSampled: false });
    const rag = { collection: 'docs', top_k: 3 };
    expect(reader.keyFor({ tenant_id: 'acme', body: deterministic })).toBe(exactCacheKey('acme', deterministic));
    expect(reader.keyFor({ tenant_id: 'acme', body: deterministic, rag })).toBe(exactCacheKey('acme', deterministic, rag));
    expect(reader.keyFor({ tenant_id: 'acme', body: { ...deterministic, temperature: 0.7 } })).toBeUndefined();
    expect(new ExactCacheReader(new MapStore(), { cacheSampled: true }).keyFor({ tenant_id: 'acme', body: { ...deterministic, temperature: 0.7 } })).toBeDefined();
  });

  it("reads only under the tenant's own prefix", async () => {
    const store = new MapStore();
    const key = exactCacheKey('acme', deterministic);
    store.entries.set(new TenantKeys('acme').exactCache(key), JSON.stringify(completion));
    const reader = new ExactCacheReader(store, { cacheSampled: false });
    expect(await reader.find('acme', key)).toEqual(completion);
    expect(await reader.find('globex', key)).toBeUndefined();
    expect(store.asked).toEqual([new TenantKeys('acme').exactCache(key), new TenantKeys('globex').exactCache(key)]);
  });
});

describe('cacheHitOutcome', () => {
  it("answers with the stored completion under the request's id, at zero cost, with usage under the fixed call id", () => {
    const now = new Date('2026-01-01T00:00:01.000Z');
    const request = llmRequest({ body: deterministic, created_at: '2026-01-01T00:00:00.000Z' });
    const { result, usage } = cacheHitOutcome(request, { key: 'k'.repeat(64), completion }, 2, now);
    expect(result).toMatchObject({
      request_id: request.request_id,
      status: 'succeeded',
      source: 'cache',
      provider: 'cache',
      cost_micros: 0,
      attempt: 2,
      cache_key: 'k'.repeat(64),
      latency_ms: 1000,
    });
    expect(result.response).toEqual({ ...completion, id: `chatcmpl-${request.request_id}`, created: Math.floor(now.getTime() / 1000) });
    expect(usage).toMatchObject({ request_id: request.request_id, call_id: CACHE_HIT_CALL_ID, source: 'cache', cost_micros: 0, tokens_in: 7, tokens_out: 3, attempt: 2 });
  });
});
