/**
 * Whether a candidate found by similarity may answer the query. Three mechanisms, calibrated on labelled pairs
 * (apps/cache/bench, QQP part 1):
 *
 * - a single threshold (the GPTCache-style baseline): hit when the cosine similarity reaches it;
 * - a second stage on borderline similarities: at or above `threshold` it is a hit, below `verifier.low` a miss,
 *   and in between a small logistic model over the similarity and lexical differences of the two questions
 *   (content words one has and the other lacks, differing numbers, a negation on one side) decides. Embeddings
 *   of short questions that differ in one decisive word ("learn Java" / "learn Python") sit close together; the
 *   words tell them apart;
 * - a second stage on borderline similarities by a classifier (`classifier`: the probability the configured
 *   verifier gives; the embedding-pair MLP of pair-classifier.ts or the token-alignment model of
 *   token-alignment.ts). Only token alignment beat the single threshold on unseen pairs (ADR 0021, ADR 0023).
 */
export interface VerifierModel {
  low: number;
  weights: number[];
  bias: number;
  /** Minimum probability of "same question" for a borderline hit. */
  cutoff: number;
}

/** A classifier second stage (the configured PairVerifier): asked only for similarities in [low, threshold). */
export interface ClassifierStage {
  low: number;
  /** Minimum probability of "same question" for a borderline hit. */
  cutoff: number;
}

export interface SemanticPolicy {
  threshold: number;
  verifier?: VerifierModel;
  classifier?: ClassifierStage;
}

export type SemanticVerdict = 'hit' | 'verified' | 'rejected' | 'miss';

/** True when the decision needs the classifier's probability (a borderline similarity under a classifier policy). */
export function needsClassifier(similarity: number, policy: SemanticPolicy): boolean {
  return policy.classifier !== undefined && similarity < policy.threshold && similarity >= policy.classifier.low;
}

/**
 * `probability` is the classifier's answer for this pair, asked for only when needsClassifier says so; without
 * it a borderline candidate is rejected (never a hit by default).
 */
export function decide(similarity: number, query: string, candidate: string, policy: SemanticPolicy, probability?: number): SemanticVerdict {
  if (similarity >= policy.threshold) return 'hit';
  if (policy.classifier) {
    if (similarity < policy.classifier.low) return 'miss';
    return probability !== undefined && probability >= policy.classifier.cutoff ? 'verified' : 'rejected';
  }
  const v = policy.verifier;
  if (!v || similarity < v.low) return 'miss';
  return verifierProbability(v, pairFeatures(similarity, query, candidate)) >= v.cutoff ? 'verified' : 'rejected';
}

export function verifierProbability(model: Pick<VerifierModel, 'weights' | 'bias'>, features: readonly number[]): number {
  let z = model.bias;
  features.forEach((x, i) => (z += x * (model.weights[i] ?? 0)));
  return 1 / (1 + Math.exp(-z));
}

export const STOPWORDS = new Set(
  'a an the is are was were be been being am do does did doing have has had i me my we our you your he she it its they them their this that these those what which who whom whose why how when where there here of to in on at by for with from as into about than then so if or and but can could should would will shall may might must just also any some such own same other more most very too only'.split(
    ' ',
  ),
);
export const NEGATIONS = new Set(['not', 'no', 'never', 'without', "n't", 'nothing', 'none', 'cannot']);

export function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/n't\b/g, " n't")
      .match(/[\p{L}\p{N}']+/gu) ?? []
  ).map((w) => w.replace(/'s$/, ''));
}

/** A crude suffix strip so "refunds" meets "refund" and "learning" meets "learn". */
export function stem(word: string): string {
  return word.length > 4 ? word.replace(/(ing|ed|es|s|ly)$/, '') : word;
}

/**
 * Features of a (query, candidate) pair: [similarity, share of the query's content words missing from the
 * candidate, the same the other way, content-word Jaccard, numbers differ, negation on one side only].
 */
export function pairFeatures(similarity: number, query: string, candidate: string): number[] {
  const wq = words(query);
  const wc = words(candidate);
  const content = (ws: string[]) => new Set(ws.filter((w) => !STOPWORDS.has(w) && !NEGATIONS.has(w)).map(stem));
  const cq = content(wq);
  const cc = content(wc);
  const missing = (a: Set<string>, b: Set<string>) => (a.size === 0 ? 0 : [...a].filter((w) => !b.has(w)).length / a.size);
  const union = new Set([...cq, ...cc]);
  const shared = [...cq].filter((w) => cc.has(w)).length;
  const numbers = (ws: string[]) =>
    ws
      .filter((w) => /\d/.test(w))
      .sort()
      .join(' ');
  const negated = (ws: string[]) => ws.some((w) => NEGATIONS.has(w));
  return [similarity, missing(cq, cc), missing(cc, cq), union.size === 0 ? 1 : shared / union.size, numbers(wq) === numbers(wc) ? 0 : 1, negated(wq) === negated(wc) ? 0 : 1];
}

/** Fits logistic weights by batch gradient descent (a few thousand pairs: milliseconds). */
export function fitLogistic(
  samples: readonly { features: number[]; label: 0 | 1 }[],
  options: { epochs?: number; rate?: number; l2?: number } = {},
): { weights: number[]; bias: number } {
  const dims = samples[0]?.features.length ?? 0;
  const weights = new Array<number>(dims).fill(0);
  let bias = 0;
  const { epochs = 2_000, rate = 0.5, l2 = 1e-4 } = options;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const grad = new Array<number>(dims).fill(0);
    let gradBias = 0;
    for (const { features, label } of samples) {
      const error = verifierProbability({ weights, bias }, features) - label;
      features.forEach((x, i) => (grad[i]! += error * x));
      gradBias += error;
    }
    for (let i = 0; i < dims; i++) weights[i]! -= rate * (grad[i]! / samples.length + l2 * weights[i]!);
    bias -= rate * (gradBias / samples.length);
  }
  return { weights, bias };
}
