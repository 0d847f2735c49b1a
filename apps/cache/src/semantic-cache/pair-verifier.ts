import type { Embedder } from '@llm/embeddings';
import type { PairClassifier } from './pair-classifier';

/** DI token of the semantic cache's second stage (undefined when the policy has none). */
export const PAIR_VERIFIER = Symbol('PAIR_VERIFIER');

export interface PairToVerify {
  similarity: number;
  query: string;
  queryVector: Float32Array;
  candidate: string;
}

/** The port of a second-stage check: the probability that the cached question asks what the query asks. */
export interface PairVerifier {
  readonly name: string;
  probability(pair: PairToVerify): Promise<number>;
}

/**
 * The classifier over both embeddings. The candidate's vector comes from the embedder, which caches it in Redis
 * since the candidate was embedded when it was stored, so a borderline lookup adds a Redis read, not a model run.
 */
export class EmbeddingPairVerifier implements PairVerifier {
  readonly name = 'embedding-pair-mlp';

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
