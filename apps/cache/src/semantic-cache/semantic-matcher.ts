import { Inject, Injectable, Optional } from '@nestjs/common';
import type { LlmRequestV1 } from '@llm/contracts';
import type { Embedder } from '@llm/embeddings';
import { CACHE_CONFIG, type CacheConfig } from '../config/cache.config';
import { PairClassifier, type PairClassifierModel } from './pair-classifier';
import { EmbeddingPairVerifier, PAIR_VERIFIER, type PairVerifier } from './pair-verifier';
import calibration from './semantic-calibration.json';
import { decide, needsClassifier, type ClassifierStage, type SemanticPolicy, type SemanticVerdict, type VerifierModel } from './semantic-decision';
import pairClassifierModel from './semantic-pair-classifier.json';
import { SemanticCacheRepository, type PendingEntry, type SemanticCandidate } from './semantic-cache.repository';
import { semanticContextHash, semanticEntryId, semanticQuestion } from './semantic-key';

/** DI token of the embedder (libs/embeddings) the semantic cache uses. */
export const EMBEDDER = Symbol('EMBEDDER');

/**
 * The calibrated policies (apps/cache/bench, --calibrate on QQP part 1): the single threshold (the default), the
 * threshold + lexical verifier, and the threshold + embedding-pair classifier on borderline similarities. Neither
 * second stage beat the single threshold by more than the noise of the unseen pairs (ADR 0021).
 */
export const CALIBRATED_SINGLE_THRESHOLD: SemanticPolicy = { threshold: calibration.baseline_threshold };
export const CALIBRATED_WITH_VERIFIER: SemanticPolicy = {
  threshold: calibration.threshold,
  ...('verifier' in calibration ? { verifier: (calibration as { verifier: VerifierModel }).verifier } : {}),
};
const classifierCalibration = (calibration as { classifier?: ClassifierStage & { threshold: number } }).classifier;
export const CALIBRATED_WITH_CLASSIFIER: SemanticPolicy | undefined = classifierCalibration
  ? { threshold: classifierCalibration.threshold, classifier: { low: classifierCalibration.low, cutoff: classifierCalibration.cutoff } }
  : undefined;

/** The shipped classifier, trained with the calibration above (semantic-pair-classifier.json). */
export const shippedPairClassifier = (): PairClassifier => PairClassifier.fromModel(pairClassifierModel as PairClassifierModel);

/** The default second stage for an embedder: undefined when the shipped classifier was trained on another model. */
export function defaultPairVerifier(embedder: Embedder): PairVerifier | undefined {
  return EmbeddingPairVerifier.create(embedder, shippedPairClassifier());
}

export interface PreparedLookup {
  pending: PendingEntry;
  entryId: string;
  vector: Float32Array;
}

export interface SemanticMatch {
  candidate: SemanticCandidate;
  verdict: SemanticVerdict;
  /** The second stage's probability, when it was asked. */
  probability?: number;
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
    @Inject(CACHE_CONFIG) private readonly config: Pick<CacheConfig, 'SEMANTIC_CACHE_THRESHOLD' | 'SEMANTIC_CACHE_DECISION'>,
    @Optional() @Inject(PAIR_VERIFIER) private readonly verifier?: PairVerifier,
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

  /** The configured default policy; the classifier needs a verifier for this embedder, else the single threshold. */
  defaultPolicy(): SemanticPolicy {
    const decision = this.config.SEMANTIC_CACHE_DECISION;
    if (decision === 'lexical') return CALIBRATED_WITH_VERIFIER;
    if (decision === 'classifier' && this.verifier && CALIBRATED_WITH_CLASSIFIER) return CALIBRATED_WITH_CLASSIFIER;
    return CALIBRATED_SINGLE_THRESHOLD;
  }

  /**
   * A tenant's own threshold (admin API) is a single threshold: the tenant chose where to cut. An operator's
   * SEMANTIC_CACHE_THRESHOLD moves the point above which the default policy accepts without a second stage.
   */
  async policy(tenantId: string, feature: string | undefined): Promise<SemanticPolicy> {
    const own = await this.repository.threshold(tenantId, feature);
    if (own !== undefined) return { threshold: own };
    const calibrated = this.defaultPolicy();
    return { ...calibrated, threshold: this.config.SEMANTIC_CACHE_THRESHOLD ?? calibrated.threshold };
  }

  async match(tenantId: string, feature: string | undefined, prepared: PreparedLookup, now: Date): Promise<SemanticMatch | undefined> {
    const candidate = await this.nearest(tenantId, prepared, now);
    if (!candidate) return undefined;
    return this.judge(candidate, prepared, await this.policy(tenantId, feature));
  }

  /** The decision on one candidate; the second stage runs only on a borderline similarity. */
  async judge(candidate: SemanticCandidate, prepared: PreparedLookup, policy: SemanticPolicy): Promise<SemanticMatch> {
    const { question } = prepared.pending;
    if (!needsClassifier(candidate.similarity, policy) || !this.verifier) return { candidate, verdict: decide(candidate.similarity, question, candidate.question, policy) };
    const probability = await this.verifier.probability({ similarity: candidate.similarity, query: question, queryVector: prepared.vector, candidate: candidate.question });
    return { candidate, probability, verdict: decide(candidate.similarity, question, candidate.question, policy, probability) };
  }
}
