import { Topics, type LlmRequestV1, type RetrieveRequestV1, type RouteRequestV1 } from '@llm/contracts';
import { cacheStageKeys } from '@llm/redis';

/**
 * What a cache miss is sent on to, wherever the miss was decided: retrieval for a RAG request, routing otherwise,
 * carrying the key its answer is stored under (none when the policy keeps it out of the cache). The cache service
 * and ingress's fast path both forward through this, so a request skipping the cache stage looks the same
 * downstream as one that went through it.
 */
export type NextHop = { topic: typeof Topics.retrieve; message: RetrieveRequestV1 } | { topic: typeof Topics.route; message: RouteRequestV1 };

export function afterCacheMiss(request: LlmRequestV1, cacheKey: string | undefined): NextHop {
  const next = cacheKey === undefined ? request : { ...request, cache_key: cacheKey };
  if (request.rag) return { topic: Topics.retrieve, message: next };
  return { topic: Topics.route, message: { ...next, context: [] } };
}

/** The Redis commands the stage announcement needs; an ioredis client has them. */
export interface CacheStageStore {
  set(key: string, value: string, px: 'PX', ttlMs: number): Promise<unknown>;
  mget(...keys: string[]): Promise<(string | null)[]>;
}

/**
 * Each cache instance says, every `intervalMs`, that it runs and whether it runs the semantic lookup. The keys
 * live three intervals, so a stopped instance (or one switched to exact-only) stops counting within that time.
 */
export class CacheStageAnnouncer {
  private timer?: NodeJS.Timeout;
  private readonly keys: ReturnType<typeof cacheStageKeys>;

  constructor(
    private readonly store: CacheStageStore,
    topicPrefix: string,
    private readonly semantic: boolean,
    private readonly intervalMs = 5_000,
  ) {
    this.keys = cacheStageKeys(topicPrefix);
  }

  /** Never fails the service's start: with Redis down, ingress keeps the stage in the path until an announcement lands. */
  async start(): Promise<void> {
    await this.announce().catch(() => undefined);
    this.timer = setInterval(() => void this.announce().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async announce(): Promise<void> {
    const ttl = this.intervalMs * 3;
    await this.store.set(this.keys.alive, '1', 'PX', ttl);
    if (this.semantic) await this.store.set(this.keys.semantic, '1', 'PX', ttl);
  }
}

/**
 * Ingress's view of the cache stage: after its own exact lookup missed, the stage adds nothing unless some cache
 * instance runs the semantic lookup. The request may then go straight to retrieval or routing, one Kafka hop
 * fewer. Anything uncertain (no instance announced itself, Redis unreadable) keeps the stage in the path: a
 * skipped semantic lookup would cost an answer, a needless hop only time.
 */
export class CacheStageView {
  private skippable = false;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private pending?: Promise<void>;
  private readonly keys: ReturnType<typeof cacheStageKeys>;

  constructor(
    private readonly store: Pick<CacheStageStore, 'mget'>,
    topicPrefix: string,
    private readonly refreshMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {
    this.keys = cacheStageKeys(topicPrefix);
  }

  /** Never waits on Redis more than once per refresh period; concurrent callers share one read. */
  async canSkip(): Promise<boolean> {
    if (this.now() - this.checkedAt >= this.refreshMs) {
      this.pending ??= this.refresh().finally(() => (this.pending = undefined));
      await this.pending;
    }
    return this.skippable;
  }

  private async refresh(): Promise<void> {
    try {
      const [alive, semantic] = await this.store.mget(this.keys.alive, this.keys.semantic);
      this.skippable = alive !== null && semantic === null;
    } catch {
      this.skippable = false;
    }
    this.checkedAt = this.now();
  }
}
