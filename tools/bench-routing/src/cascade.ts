import { ANSWER_CHECK_INPUTS, ANSWER_CHECK_VERSION, AnswerCheck, FEATURE_VERSION, answerCheckInputs, trainLogistic, type AnswerCheckModel } from '@llm/routing-scorer';
import { robustThreshold, thresholdFor, type LabelledRow } from './curve';

export interface CascadeFitOptions {
  l2: number;
  epochs: number;
  learningRate: number;
}

export const DEFAULT_CASCADE_FIT: CascadeFitOptions = { l2: 1e-2, epochs: 400, learningRate: 0.05 };

/**
 * Fits the cascade's self-check (probability that the weak model's answer is wrong) on rows that carry the weak
 * model's answer: standardized dense inputs, the same deterministic logistic regression as the scorer.
 */
export function fitAnswerCheck(rows: readonly LabelledRow[], o: CascadeFitOptions, meta: { version: string; source: string; split: string; threshold: number }): AnswerCheckModel {
  const raw = rows.map((r) => answerCheckInputs(r.prompt, r.weakAnswer ?? ''));
  const n = ANSWER_CHECK_INPUTS.length;
  const mean = Array.from({ length: n }, (_, j) => raw.reduce((s, x) => s + x[j]!, 0) / Math.max(1, raw.length));
  // A (nearly) constant input keeps std 1: rounding a tiny std to 0 would divide by zero at scoring time.
  const std = Array.from({ length: n }, (_, j) => {
    const sd = Math.sqrt(raw.reduce((s, x) => s + (x[j]! - mean[j]!) ** 2, 0) / Math.max(1, raw.length));
    return sd < 1e-3 ? 1 : sd;
  });
  const indices = Array.from({ length: n }, (_, j) => j);
  const x = raw.map((v) => ({ indices, values: v.map((e, j) => (e - mean[j]!) / std[j]!) }));
  const lr = trainLogistic(
    x,
    rows.map((r) => (r.weakCorrect ? 0 : 1)),
    { dimensions: n, l2: o.l2, epochs: o.epochs, learningRate: o.learningRate },
  );
  const round = (v: number) => Math.round(v * 1e5) / 1e5;
  return {
    version: meta.version,
    check_version: ANSWER_CHECK_VERSION,
    feature_version: FEATURE_VERSION,
    target: 'answer-wrong',
    names: [...ANSWER_CHECK_INPUTS],
    mean: mean.map(round),
    std: std.map(round),
    bias: round(lr.bias),
    weights: lr.weights.map(round),
    default_threshold: Math.min(1, Math.max(0, meta.threshold)),
    trained_on: { source: meta.source, rows: rows.length, split: meta.split },
  };
}

export const cascadeScores = (model: AnswerCheckModel, rows: readonly LabelledRow[]): number[] => {
  const check = new AnswerCheck(model);
  return rows.map((r) => check.probabilityWrong(r.prompt, r.weakAnswer ?? ''));
};

/**
 * Out-of-fold scores of the first half (contiguous folds) and the threshold they give for the quality target:
 * the only way the cascade's operating point is chosen, so the held-out half never tunes it. `threshold` just
 * reaches the target on those rows; `robustThreshold` keeps it in 95% of bootstrap resamples of them (shipped).
 */
export function cascadeOutOfFold(
  train: readonly LabelledRow[],
  folds: number,
  quality: number,
  o: CascadeFitOptions,
): { scores: number[]; threshold: number; robustThreshold: number } {
  const scores = new Array<number>(train.length);
  for (let k = 0; k < folds; k++) {
    const inFold = (i: number) => Math.floor((i * folds) / train.length) === k;
    const model = fitAnswerCheck(
      train.filter((_, i) => !inFold(i)),
      o,
      { version: 'oof', source: '', split: '', threshold: 0.5 },
    );
    const held = train.map((r, i) => [r, i] as const).filter(([, i]) => inFold(i));
    cascadeScores(
      model,
      held.map(([r]) => r),
    ).forEach((s, j) => (scores[held[j]![1]] = s));
  }
  return { scores, threshold: thresholdFor(train, scores, quality, 'cascade'), robustThreshold: robustThreshold(train, scores, quality, 'cascade') };
}
