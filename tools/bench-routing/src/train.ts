import { DENSE_FEATURES, FEATURE_VERSION, denseFeatures, trainLogistic, vectorize, type ScorerModel } from '@llm/routing-scorer';

export interface FitOptions {
  buckets: number;
  l2: number;
  /** Route by score / promptTokens^costExponent (benefit per token of cost); 0 routes by the score alone. */
  costExponent: number;
  /** L2 of the dense shape features (length, numbers, symbols); they generalise across subjects, n-grams less so. */
  l2Dense: number;
  epochs: number;
  learningRate: number;
}

export const DEFAULT_FIT: FitOptions = { buckets: 4096, l2: 1e-3, l2Dense: 1e-3, costExponent: 0, epochs: 300, learningRate: 0.05 };

/** Fits the scorer (probability that the weak model answers wrongly) on labelled prompts. */
export function fitScorer(
  prompts: readonly string[],
  weakWrong: readonly boolean[],
  o: FitOptions,
  meta: Omit<ScorerModel['trained_on'], 'rows'> & { version: string; threshold: number },
): ScorerModel {
  const dense = prompts.map(denseFeatures);
  const mean = DENSE_FEATURES.map((_, j) => dense.reduce((s, d) => s + d[j]!, 0) / Math.max(1, dense.length));
  const std = DENSE_FEATURES.map((_, j) => Math.sqrt(dense.reduce((s, d) => s + (d[j]! - mean[j]!) ** 2, 0) / Math.max(1, dense.length)) || 1);
  const x = prompts.map((p) => vectorize(p, o.buckets, { mean, std }));
  const lr = trainLogistic(
    x,
    weakWrong.map((w) => (w ? 1 : 0)),
    { dimensions: o.buckets + DENSE_FEATURES.length, l2: o.l2, denseFrom: o.buckets, l2Dense: o.l2Dense, epochs: o.epochs, learningRate: o.learningRate },
  );
  const round = (v: number) => Math.round(v * 1e5) / 1e5;
  return {
    version: meta.version,
    feature_version: FEATURE_VERSION,
    target: 'weak-wrong',
    buckets: o.buckets,
    dense: { names: [...DENSE_FEATURES], mean: mean.map(round), std: std.map(round) },
    bias: round(lr.bias),
    weights: lr.weights.map(round),
    cost_exponent: o.costExponent,
    default_threshold: Math.max(0, meta.threshold),
    trained_on: { source: meta.source, rows: prompts.length, split: meta.split },
  };
}
