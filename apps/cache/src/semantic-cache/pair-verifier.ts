import type { Embedder, TokenStates } from '@llm/embeddings';
import type { PairClassifier } from './pair-classifier';
import type { TokenAlignmentClassifier } from './token-alignment';

/** DI token of the semantic cache's second stage (undefined when the policy has none). */
export const PAIR_VERIFIER = Symbol('PAIR_VERIFIER');

export interface PairToVerify {
  similarity: number;
  query: string;
  queryVector: Float32Array;
  /** The query's token states, when the lookup computed them (a verifier that needs them embeds otherwise). */
  queryTokens?: TokenStates;
  candidate: string;
}

/** The port of a second-stage check: the probability that the cached question asks what the query asks. */
export interface PairVerifier {
  readonly name: string;
  /** True when the lookup should compute the query's token states (Embedder.embedTokens) for this verifier. */
  readonly needsTokens: boolean;
  probability(pair: PairToVerify): Promise<number>;
}

/**
 * The classifier over both embeddings. The candidate's vector comes from the embedder, which caches it in Redis
 * since the candidate was embedded when it was stored, so a borderline lookup adds a Redis read, not a model run.
 */
export class EmbeddingPairVerifier implements PairVerifier {
  readonly name = 'embedding-pair-mlp';
  readonly needsTokens = false;

  private constructor(
    private readonly embedder: Embedder,
    private readonly classifier: PairClassifier,
  ) {}

  /** Undefined when the classifier was trained on another embedding model's vectors (they would mean nothing to it). */
  static create(embedder: Embedder, classifier: PairClassifier): EmbeddingPairVerifier | undefined {
    if (embedder.model !== classifier.embeddingModel || embedder.dimensions !== classifier.dimensions) return undefined;
    return new EmbeddingPairVerifier(embedder, classifier);
  }

  async probability(pair: PairToVerify): Promise<number> {
    const [candidate] = await this.embedder.embed([pair.candidate]);
    return this.classifier.probability(pair.similarity, pair.queryVector, candidate!);
  }
}

/**
 * The token-alignment classifier (token-alignment.ts). The candidate's token states come from the embedder's
 * Redis cache: the lookup that missed computed them for the question that was then stored, so a borderline
 * lookup adds one Redis read of ~6 kB; only when they were evicted does it cost a model run.
 */
export class TokenAlignmentVerifier implements PairVerifier {
  readonly name = 'token-alignment';
  readonly needsTokens = true;

  private constructor(
    private readonly embedder: Embedder & Required<Pick<Embedder, 'embedTokens'>>,
    private readonly classifier: TokenAlignmentClassifier,
  ) {}

  /** Undefined when the embedder has no token states or the classifier was trained on another model's. */
  static create(embedder: Embedder, classifier: TokenAlignmentClassifier): TokenAlignmentVerifier | undefined {
    if (!embedder.embedTokens || embedder.model !== classifier.embeddingModel) return undefined;
    return new TokenAlignmentVerifier(embedder as Embedder & Required<Pick<Embedder, 'embedTokens'>>, classifier);
  }

  async probability(pair: PairToVerify): Promise<number> {
    const texts = pair.queryTokens ? [pair.candidate] : [pair.candidate, pair.query];
    const [candidate, query] = await this.embedder.embedTokens(texts);
    const queryTokens = pair.queryTokens ?? query!.tokens;
    return this.classifier.probability(pair.similarity, { text: pair.query, tokens: queryTokens }, { text: pair.candidate, tokens: candidate!.tokens });
  }
}
