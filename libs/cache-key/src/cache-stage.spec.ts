import { Topics } from '@llm/contracts';
import { cacheStageKeys } from '@llm/redis';
import { llmRequest } from '@llm/testing';
import { afterCacheMiss, CacheStageAnnouncer, CacheStageView, type CacheStageStore } from './cache-stage';

/** Redis strings with expiry on a clock the test moves. */
class ClockStore implements CacheStageStore {
  now = 0;
  reads = 0;
  failWith?: Error;
  private readonly values = new Map<string, { value: string; until: number }>();
  async set(key: string, value: string, _px: 'PX', ttlMs: number) {
    this.values.set(key, { value, until: this.now + ttlMs });
  }
  async mget(...keys: string[]) {
    this.reads += 1;
    if (this.failWith) throw this.failWith;
    return keys.map((k) => {
      const v = this.values.get(k);
      return v && v.until > this.now ? v.value : null;
    });
  }
}

describe('afterCacheMiss', () => {
  it('sends a miss to routing with its key and no context, a RAG miss to retrieval, and an unkeyed one without a key', () => {
    const plain = llmRequest({ tenant_id: 'acme' });
    expect(afterCacheMiss(plain, 'k1')).toEqual({ topic: Topics.route, message: { ...plain, cache_key: 'k1', context: [] } });
    expect(afterCacheMiss(plain, undefined)).toEqual({ topic: Topics.route, message: { ...plain, context: [] } });
    const rag = llmRequest({ tenant_id: 'acme', rag: { collection: 'docs', top_k: 3 } });
    expect(afterCacheMiss(rag, 'k2')).toEqual({ topic: Topics.retrieve, message: { ...rag, cache_key: 'k2' } });
  });
});

describe('CacheStageView', () => {
  let store: ClockStore;
  beforeEach(() => (store = new ClockStore()));
  const view = () => new CacheStageView(store, 'p1.', 2_000, () => store.now);

  it('lets ingress skip the stage only while a cache instance runs and none runs the semantic lookup', async () => {
    const v = view();
    expect(await v.canSkip()).toBe(false); // nobody announced: keep the stage
    await new CacheStageAnnouncer(store, 'p1.', false, 5_000).announce();
    store.now += 2_000;
    expect(await v.canSkip()).toBe(true);
    await new CacheStageAnnouncer(store, 'p1.', true, 5_000).announce();
    store.now += 2_000;
    expect(await v.canSkip()).toBe(false);
    // The semantic instance stopped announcing; the exact-only one goes on: skippable again once its key expires.
    store.now += 13_000;
    await new CacheStageAnnouncer(store, 'p1.', false, 5_000).announce();
    store.now += 2_000;
    expect(await v.canSkip()).toBe(true);
    // Every cache instance gone: the stage comes back (its requests wait on llm.requests.v1 as before).
    store.now += 15_000;
    expect(await v.canSkip()).toBe(false);
  });

  it('reads Redis at most once per refresh period, shared by concurrent callers, and fails safe', async () => {
    await new CacheStageAnnouncer(store, 'p1.', false, 5_000).announce();
    const v = view();
    expect(await Promise.all([v.canSkip(), v.canSkip(), v.canSkip()])).toEqual([true, true, true]);
    expect(store.reads).toBe(1);
    store.now += 1_999;
    await v.canSkip();
    expect(store.reads).toBe(1);
    store.now += 1;
    store.failWith = new Error('redis down');
    expect(await v.canSkip()).toBe(false);
    expect(store.reads).toBe(2);
  });

  it('starts even when Redis is down, and announces once it is back', async () => {
    const set = jest.spyOn(store, 'set').mockRejectedValueOnce(new Error('redis down'));
    const announcer = new CacheStageAnnouncer(store, 'p1.', false, 5_000);
    await expect(announcer.start()).resolves.toBeUndefined();
    announcer.stop();
    set.mockRestore();
    expect(await view().canSkip()).toBe(false);
    await announcer.announce();
    expect(await view().canSkip()).toBe(true);
  });

  it('announces under the keys of its own pipeline, with three intervals to live', async () => {
    await new CacheStageAnnouncer(store, 'p1.', true, 1_000).announce();
    const keys = cacheStageKeys('p1.');
    store.now += 2_999;
    expect(await store.mget(keys.alive, keys.semantic)).toEqual(['1', '1']);
    expect(await new CacheStageView(store, 'p2.', 2_000, () => store.now).canSkip()).toBe(false);
    store.now += 1;
    expect(await store.mget(keys.alive, keys.semantic)).toEqual([null, null]);
  });
});
