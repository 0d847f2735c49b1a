import { Inject, Injectable } from '@nestjs/common';
import type { LlmRequestV1 } from '@llm/contracts';
import type { Embedder } from '@llm/embeddings';
import { CACHE_CONFIG, type CacheConfig } from '../config/cache.config';
import calibration from './semantic-calibration.json';
import { decide, type SemanticPolicy, type SemanticVerdict, type VerifierModel } from './semantic-decision';
import { SemanticCacheRepository, type PendingEntry, type SemanticCandidate } from './semantic-cache.repository';
import { semanticContextHash, semanticEntryId, semanticQuestion } from './semantic-key';

/** DI token of the embedder (libs/embeddings) the semantic cache uses. */
export const EMBEDDER = Symbol('EMBEDDER');

/**
 * The calibrated defaults (tools: apps/cache/bench, --calibrate on QQP part 1): the single threshold, and the
 * threshold + borderline verifier pair. On unseen pairs the verifier did not beat the single threshold (ADR 0010),
 * so the single threshold is the default and the verifier is opt-in (SEMANTIC_CACHE_VERIFIER).
 */
export const CALIBRATED_SINGLE_THRESHOLD: SemanticPolicy = { threshold: calibration.baseline_threshold };
export const CALIBRATED_WITH_VERIFIER: SemanticPolicy = {
  threshold: calibration.threshold,
  ...('verifier' in calibration ? { verifier: (calibration as { verifier: VerifierModel }).verifier } : {}),
};

export interface PreparedLookup {
  pending: PendingEntry;
  entryId: string;
  vector: Float32Array;
}

export interface SemanticMatch {
  candidate: SemanticCandidate;
  verdict: SemanticVerdict;
}

/**
 * The shared steps of semantic lookup and store: question + context hash (with the current version keys), the
 * question's embedding, the nearest candidates in the same context, and the decision under the tenant's policy.
 * The cache service and the benchmark both go through it, so the benchmark measures the real path.
 */
@Injectable()
export class SemanticMatcher {
  constructor(
    @Inject(EMBEDDER) private readonly embedder: Embedder,
    @Inject(SemanticCacheRepository) private readonly repository: SemanticCacheRepository,
    @Inject(CACHE_CONFIG) private readonly config: Pick<CacheConfig, 'SEMANTIC_CACHE_THRESHOLD' | 'SEMANTIC_CACHE_VERIFIER'>,
  ) {}

  get model(): string {
    return this.embedder.model;
  }

  /** Undefined when the request cannot be matched by meaning (no user question as its last turn). */
  async prepare(request: Pick<LlmRequestV1, 'tenant_id' | 'feature' | 'body' | 'rag'>): Promise<PreparedLookup | undefined> {
    const question = semanticQuestion(request.body);
    if (question === undefined) return undefined;
    const versions = await this.repository.versions(request.tenant_id, request.feature, request.rag?.collection);
    const context = semanticContextHash(request, versions);
    const [vector] = await this.embedder.embed([question]);
    return {
      pending: { question, context, feature: request.feature ?? '', collection: request.rag?.collection ?? '' },
      entryId: semanticEntryId(context, question),
      vector: vector!,
    };
  }

  async nearest(tenantId: string, prepared: PreparedLookup, now: Date): Promise<SemanticCandidate | undefined> {
    const [best] = await this.repository.nearest(tenantId, prepared.pending.context, prepared.vector, 1, now);
    return best;
  }

  async policy(tenantId: string, feature: string | undefined): Promise<SemanticPolicy> {
    const calibrated = this.config.SEMANTIC_CACHE_VERIFIER ? CALIBRATED_WITH_VERIFIER : CALIBRATED_SINGLE_THRESHOLD;
    const threshold = (await this.repository.threshold(tenantId, feature)) ?? this.config.SEMANTIC_CACHE_THRESHOLD ?? calibrated.threshold;
    return { ...calibrated, threshold };
  }

  async match(tenantId: string, feature: string | undefined, prepared: PreparedLookup, now: Date): Promise<SemanticMatch | undefined> {
    const candidate = await this.nearest(tenantId, prepared, now);
    if (!candidate) return undefined;
    return { candidate, verdict: decide(candidate.similarity, prepared.pending.question, candidate.question, await this.policy(tenantId, feature)) };
  }
}
