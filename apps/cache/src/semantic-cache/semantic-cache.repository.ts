import { Inject, Injectable } from '@nestjs/common';
import { chatCompletion, type ChatCompletion } from '@llm/contracts';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';
import type { TenantVectorIndex, VectorHit, VectorIndex } from '@llm/vector-store';
import { CACHE_CONFIG, type CacheConfig } from '../config/cache.config';
import type { CacheVersions } from './semantic-key';

/** DI token of the semantic cache's vector index (one per embedding model). */
export const SEMANTIC_INDEX = Symbol('SEMANTIC_INDEX');

export interface SemanticAnswer {
  completion: ChatCompletion;
  /** What the answer cost when the model produced it: the estimated saving of each hit. */
  cost_micros: number;
}

export interface PendingEntry {
  question: string;
  context: string;
  feature: string;
  collection: string;
}

export interface SemanticCandidate {
  id: string;
  similarity: number;
  question: string;
}

/**
 * Side effects of the semantic cache: the question embeddings in the vector index (tenant-scoped by the port),
 * the answers in Redis under the tenant's keys (both expire after the TTL), version keys, thresholds and the
 * pending records that carry a miss's question to the moment its answer arrives.
 */
@Injectable()
export class SemanticCacheRepository {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SEMANTIC_INDEX) private readonly index: VectorIndex,
    @Inject(CACHE_CONFIG) private readonly config: Pick<CacheConfig, 'SEMANTIC_CACHE_TTL_S'>,
  ) {}

  async versions(tenantId: string, feature: string | undefined, collection: string | undefined): Promise<CacheVersions> {
    const [tenant, f, c] = await this.redis.hmget(new TenantKeys(tenantId).cacheVersions(), 'tenant', `feature:${feature ?? ''}`, `collection:${collection ?? ''}`);
    return { tenant: tenant ?? '0', feature: f ?? '0', collection: c ?? '0' };
  }

  /** The tenant's threshold for a feature, else the tenant's default, else undefined (the calibrated default applies). */
  async threshold(tenantId: string, feature: string | undefined): Promise<number | undefined> {
    const [forFeature, forTenant] = await this.redis.hmget(new TenantKeys(tenantId).semanticThresholds(), `feature:${feature ?? ''}`, '*');
    const value = forFeature ?? forTenant;
    return value === null || value === undefined ? undefined : Number(value);
  }

  async setThreshold(tenantId: string, feature: string | undefined, threshold: number): Promise<void> {
    await this.redis.hset(new TenantKeys(tenantId).semanticThresholds(), feature === undefined ? '*' : `feature:${feature}`, String(threshold));
  }

  async bumpVersion(tenantId: string, scope: { feature?: string; collection?: string }): Promise<void> {
    const field = scope.feature !== undefined ? `feature:${scope.feature}` : scope.collection !== undefined ? `collection:${scope.collection}` : 'tenant';
    await this.redis.hincrby(new TenantKeys(tenantId).cacheVersions(), field, 1);
  }

  async nearest(tenantId: string, context: string, vector: Float32Array, topK: number, now: Date): Promise<SemanticCandidate[]> {
    const hits: VectorHit[] = await this.tenant(tenantId).search(vector, {
      topK,
      filter: { equals: { context }, range: { expires_at: { gte: Math.floor(now.getTime() / 1000) } } },
    });
    return hits.map((h) => ({ id: h.id, similarity: h.score, question: String(h.payload['question'] ?? '') }));
  }

  async answer(tenantId: string, entryId: string): Promise<SemanticAnswer | undefined> {
    const raw = await this.redis.get(new TenantKeys(tenantId).semanticAnswer(entryId));
    if (raw === null) return undefined;
    try {
      const parsed = JSON.parse(raw) as { completion: unknown; cost_micros: number };
      const completion = chatCompletion.safeParse(parsed.completion);
      return completion.success ? { completion: completion.data, cost_micros: parsed.cost_micros } : undefined;
    } catch {
      return undefined;
    }
  }

  async save(tenantId: string, entryId: string, pending: PendingEntry, vector: Float32Array, answer: SemanticAnswer, now: Date): Promise<void> {
    const ttl = this.config.SEMANTIC_CACHE_TTL_S;
    // Answer first: a vector without its answer is a miss, an answer without its vector is merely unreachable.
    await this.redis.set(new TenantKeys(tenantId).semanticAnswer(entryId), JSON.stringify(answer), 'EX', ttl);
    await this.tenant(tenantId).upsert([
      {
        id: entryId,
        vector,
        payload: {
          context: pending.context,
          question: pending.question,
          feature: pending.feature,
          collection: pending.collection,
          expires_at: Math.floor(now.getTime() / 1000) + ttl,
        },
      },
    ]);
  }

  async remember(tenantId: string, requestId: string, pending: PendingEntry): Promise<void> {
    await this.redis.set(new TenantKeys(tenantId).semanticPending(requestId), JSON.stringify(pending), 'EX', 3_600);
  }

  async takePending(tenantId: string, requestId: string): Promise<PendingEntry | undefined> {
    const raw = await this.redis.getdel(new TenantKeys(tenantId).semanticPending(requestId));
    return raw === null ? undefined : (JSON.parse(raw) as PendingEntry);
  }

  /** Deletes the tenant's entries, all or one feature's or collection's; returns how many when known. */
  async purge(tenantId: string, scope: { feature?: string; collection?: string }): Promise<number | undefined> {
    const equals: Record<string, string> = {};
    if (scope.feature !== undefined) equals['feature'] = scope.feature;
    if (scope.collection !== undefined) equals['collection'] = scope.collection;
    return this.tenant(tenantId).deleteByFilter({ equals });
  }

  private tenant(tenantId: string): TenantVectorIndex {
    return this.index.forTenant(tenantId);
  }
}
