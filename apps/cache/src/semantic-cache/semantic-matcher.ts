import { Inject, Injectable, Optional } from '@nestjs/common';
import type { LlmRequestV1 } from '@llm/contracts';
import type { Embedder, TokenStates } from '@llm/embeddings';
import { CACHE_CONFIG, type CacheConfig } from '../config/cache.config';
import { PairClassifier, type PairClassifierModel } from './pair-classifier';
import { EmbeddingPairVerifier, PAIR_VERIFIER, TokenAlignmentVerifier, type PairVerifier } from './pair-verifier';
import calibration from './semantic-calibration.json';
import { decide, needsClassifier, type ClassifierStage, type SemanticPolicy, type SemanticVerdict, type VerifierModel } from './semantic-decision';
import pairClassifierModel from './semantic-pair-classifier.json';
import { SemanticCacheRepository, type PendingEntry, type SemanticCandidate } from './semantic-cache.repository';
import { semanticContextHash, semanticEntryId, semanticQuestion } from './semantic-key';
import { TokenAlignmentClassifier, type TokenAlignmentModel } from './token-alignment';
import tokenAlignmentModel from './semantic-token-alignment.json';

/** DI token of the embedder (libs/embeddings) the semantic cache uses. */
export const EMBEDDER = Symbol('EMBEDDER');

/**
 * The calibrated policies (apps/cache/bench, --calibrate on QQP part 1): the single threshold, the threshold +
 * lexical verifier, the threshold + embedding-pair classifier, and the threshold + token-alignment classifier on
 * borderline similarities (the default: the only one ahead of the single threshold on unseen pairs, ADR 0023).
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

const alignmentCalibration = (calibration as { alignment?: ClassifierStage & { threshold: number } }).alignment;
export const CALIBRATED_WITH_ALIGNMENT: SemanticPolicy | undefined = alignmentCalibration
  ? { threshold: alignmentCalibration.threshold, classifier: { low: alignmentCalibration.low, cutoff: alignmentCalibration.cutoff } }
  : undefined;

/** The shipped classifier, trained with the calibration above (semantic-pair-classifier.json). */
export const shippedPairClassifier = (): PairClassifier => PairClassifier.fromModel(pairClassifierModel as PairClassifierModel);

/** The shipped token-alignment classifier (semantic-token-alignment.json). */
export const shippedTokenAlignment = (): TokenAlignmentClassifier => TokenAlignmentClassifier.fromModel(tokenAlignmentModel as TokenAlignmentModel);

/** The embedding-pair classifier for an embedder: undefined when the shipped one was trained on another model. */
export function defaultPairVerifier(embedder: Embedder): PairVerifier | undefined {
  return EmbeddingPairVerifier.create(embedder, shippedPairClassifier());
}

/** The token-alignment verifier: undefined when the embedder has no token states or another model's. */
export function tokenAlignmentVerifier(embedder: Embedder): PairVerifier | undefined {
  return TokenAlignmentVerifier.create(embedder, shippedTokenAlignment());
}

/** The second stage SEMANTIC_CACHE_DECISION asks for (none for `threshold` and `lexical`). */
export function verifierForDecision(embedder: Embedder, decision: CacheConfig['SEMANTIC_CACHE_DECISION']): PairVerifier | undefined {
  if (decision === 'alignment') return tokenAlignmentVerifier(embedder);
  if (decision === 'classifier') return defaultPairVerifier(embedder);
  return undefined;
}

export interface PreparedLookup {
  pending: PendingEntry;
  entryId: string;
  vector: Float32Array;
  /** The question's token states, computed with its vector when the second stage aligns tokens. */
  tokens?: TokenStates;
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
    const pending = { question, context, feature: request.feature ?? '', collection: request.rag?.collection ?? '' };
    const entryId = semanticEntryId(context, question);
    // Same model run: the token states are cached with the vector, so once this question is stored its token
    // states are there for a later borderline lookup that meets it as a candidate.
    if (this.verifier?.needsTokens && this.embedder.embedTokens) {
      const [embedded] = await this.embedder.embedTokens([question]);
      return { pending, entryId, vector: embedded!.vector, tokens: embedded!.tokens };
    }
    const [vector] = await this.embedder.embed([question]);
    return { pending, entryId, vector: vector! };
  }

  async nearest(tenantId: string, prepared: PreparedLookup, now: Date): Promise<SemanticCandidate | undefined> {
    const [best] = await this.repository.nearest(tenantId, prepared.pending.context, prepared.vector, 1, now);
    return best;
  }

  /**
   * The configured default policy. A second stage needs its verifier for this embedder (trained on its vectors or
   * token states); without one the single threshold applies.
   */
  defaultPolicy(): SemanticPolicy {
    const decision = this.config.SEMANTIC_CACHE_DECISION;
    if (decision === 'lexical') return CALIBRATED_WITH_VERIFIER;
    // The module gives the matcher the verifier of the configured decision (verifierForDecision).
    if (decision === 'classifier' && this.verifier && CALIBRATED_WITH_CLASSIFIER) return CALIBRATED_WITH_CLASSIFIER;
    if (decision === 'alignment' && this.verifier && CALIBRATED_WITH_ALIGNMENT) return CALIBRATED_WITH_ALIGNMENT;
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
    const probability = await this.verifier.probability({
      similarity: candidate.similarity,
      query: question,
      queryVector: prepared.vector,
      ...(prepared.tokens ? { queryTokens: prepared.tokens } : {}),
      candidate: candidate.question,
    });
    return { candidate, probability, verdict: decide(candidate.similarity, question, candidate.question, policy, probability) };
  }
}
