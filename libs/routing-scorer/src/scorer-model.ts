import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DENSE_FEATURES, FEATURE_VERSION, hashedFeatures, denseFeatures, isMultipleChoice, type SparseVector } from './features';
import { predict, type LogisticModel } from './logistic';

/**
 * The weights file the router loads: versioned, with the feature version it was trained for (a mismatch stops
 * boot rather than scoring garbage) and where its training data came from.
 */
export const scorerModelSchema = z.strictObject({
  version: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
  feature_version: z.literal(FEATURE_VERSION),
  /** What the probability means: the small model answers this prompt wrongly. */
  target: z.literal('weak-wrong'),
  buckets: z
    .number()
    .int()
    .min(16)
    .max(1 << 20),
  dense: z.strictObject({ names: z.array(z.string()), mean: z.array(z.number()), std: z.array(z.number().positive()) }),
  bias: z.number(),
  /** buckets hashed weights, then one per dense feature. */
  weights: z.array(z.number()),
  /**
   * Cost-aware routing: the router compares score / promptTokens^cost_exponent with the threshold, so a prompt
   * goes to the strong model by expected benefit per token it costs (0 = the score alone).
   */
  cost_exponent: z.number().min(0).max(2).default(0),
  /** Threshold on that value, picked on the training rows for ~95% of the strong model's quality. */
  default_threshold: z.number().min(0),
  /**
   * Per prompt kind (calibrated on that kind's training rows: MMLU for multiple choice, GSM8K for open questions),
   * used instead of default_threshold where present: one joint threshold over-serves the kind the scorer ranks worse.
   */
  thresholds: z.strictObject({ multiple_choice: z.number().min(0), open: z.number().min(0) }).optional(),
  trained_on: z.strictObject({ source: z.string().max(512), rows: z.number().int().min(0), split: z.string().max(256) }),
});
export type ScorerModel = z.infer<typeof scorerModelSchema>;

export function vectorize(text: string, buckets: number, dense: { mean: readonly number[]; std: readonly number[] }): SparseVector {
  const x = hashedFeatures(text, buckets);
  denseFeatures(text).forEach((v, i) => {
    x.indices.push(buckets + i);
    x.values.push((v - dense.mean[i]!) / dense.std[i]!);
  });
  return x;
}

/** Scores a prompt's complexity: the learned probability that the small model gets it wrong (0..1). */
export class ComplexityScorer {
  private readonly lr: LogisticModel;

  constructor(readonly model: ScorerModel) {
    if (model.weights.length !== model.buckets + DENSE_FEATURES.length || model.dense.mean.length !== DENSE_FEATURES.length) {
      throw new Error(`scorer ${model.version}: expected ${model.buckets + DENSE_FEATURES.length} weights and ${DENSE_FEATURES.length} dense features`);
    }
    this.lr = { bias: model.bias, weights: model.weights };
  }

  static load(path: string): ComplexityScorer {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`cannot read complexity scorer ${path}: ${(err as Error).message}`);
    }
    const parsed = scorerModelSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`invalid complexity scorer ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return new ComplexityScorer(parsed.data);
  }

  score(text: string): number {
    return predict(this.lr, vectorize(text, this.model.buckets, this.model.dense));
  }

  /** The calibrated threshold for this prompt's kind, else the model's default. */
  thresholdFor(text: string): number {
    const t = this.model.thresholds;
    return t === undefined ? this.model.default_threshold : isMultipleChoice(text) ? t.multiple_choice : t.open;
  }

  /** What the routing threshold applies to: the score per prompt token to the power cost_exponent. */
  routingValue(score: number, promptTokens: number): number {
    return this.model.cost_exponent === 0 ? score : score / Math.max(1, promptTokens) ** this.model.cost_exponent;
  }
}
