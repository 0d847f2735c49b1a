import { z } from 'zod';
import { DENSE_FEATURES, FEATURE_VERSION, denseFeatures } from './features';
import { sigmoid } from './logistic';

/**
 * A self-check of a small model's answer to an arithmetic word problem, for a cascade (answer with the small
 * model, escalate when the check says the answer is likely wrong). Text features carry little signal on such
 * problems before the call (whether Mixtral solves a GSM8K problem hardly shows in the question), but the answer
 * itself does: no final number, a non-integer result where the problem counts things, or a computation the answer
 * wrote down that does not add up. Pure functions: no model, no I/O, the same answer always gives the same vector.
 * Changing anything here is a new ANSWER_CHECK_VERSION.
 */
export const ANSWER_CHECK_VERSION = 'answer-check-v2' as const;

export const ANSWER_CHECK_FEATURES = [
  'no_final_number',
  'no_stated_final',
  'non_integer_final',
  'negative_final',
  'arithmetic_mismatches',
  'log_computations',
  'log_chars',
  'hedges',
  'rounding',
] as const;

/** An explicitly stated final answer (GSM8K's `####` marker, "the answer is", "final answer"). */
const STATED_FINAL = /####|answer is|final answer/i;

const NUMBER = /-?\$?\d[\d,]*(?:\.\d+)?/g;

const toNumber = (s: string): number => Number(s.replace(/[$,]/g, ''));

/**
 * The answer's final number: after GSM8K's `####` marker or "the answer is" when present, else the last number in
 * the text. Undefined when the answer has no number at all.
 */
export function finalNumber(answer: string): number | undefined {
  const marked = (/####\s*([^\n]*)/.exec(answer)?.[1] ?? /(?:answer is|final answer)[:\s]*([^\n]*)/i.exec(answer)?.[1])?.match(NUMBER)?.[0];
  const last = answer.match(NUMBER)?.at(-1);
  const v = marked ?? last;
  return v === undefined || Number.isNaN(toNumber(v)) ? undefined : toNumber(v);
}

/**
 * Evaluates + - * / × ÷ and parentheses over decimal numbers (recursive descent; never eval). Undefined for
 * anything else, so only computations the answer spelled out in plain arithmetic are checked.
 */
export function evaluateArithmetic(expr: string): number | undefined {
  const src = expr
    .replace(/[$,\s]/g, '')
    .replace(/[×x]/g, '*')
    .replace(/÷/g, '/');
  let i = 0;
  const num = (): number | undefined => {
    if (src[i] === '(') {
      i++;
      const v = sum();
      if (src[i] !== ')') return undefined;
      i++;
      return v;
    }
    if (src[i] === '-') {
      i++;
      const v = num();
      return v === undefined ? undefined : -v;
    }
    const m = /^\d+(?:\.\d+)?%?/.exec(src.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    return m[0].endsWith('%') ? Number(m[0].slice(0, -1)) / 100 : Number(m[0]);
  };
  const product = (): number | undefined => {
    let v = num();
    while (v !== undefined && (src[i] === '*' || src[i] === '/')) {
      const op = src[i++];
      const r = num();
      if (r === undefined) return undefined;
      v = op === '*' ? v * r : v / r;
    }
    return v;
  };
  const sum = (): number | undefined => {
    let v = product();
    while (v !== undefined && (src[i] === '+' || src[i] === '-')) {
      const op = src[i++];
      const r = product();
      if (r === undefined) return undefined;
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const v = sum();
  return v !== undefined && i === src.length && Number.isFinite(v) ? v : undefined;
}

/**
 * Computations the answer wrote as `expression = result` (GSM8K's `<<a*b=c>>` annotations or plain text such as
 * "16 - 3 = 13"), and how many of them are wrong beyond rounding to the number of decimals the answer shows.
 */
export function checkComputations(answer: string): { computations: number; mismatches: number } {
  let computations = 0;
  let mismatches = 0;
  const seen = new Set<string>();
  const visit = (expr: string, result: string) => {
    const key = `${expr}=${result}`;
    if (seen.has(key)) return;
    seen.add(key);
    const lhs = evaluateArithmetic(expr);
    const rhs = Number(result.replace(/[$,]/g, ''));
    if (lhs === undefined || !/[-+*/×÷]/.test(expr.replace(/^\s*-/, '')) || Number.isNaN(rhs)) return;
    computations++;
    const decimals = /\.(\d+)/.exec(result)?.[1]?.length ?? 0;
    const tolerance = Math.max(0.5 * 10 ** -decimals, 1e-6 * Math.abs(lhs));
    if (Math.abs(lhs - rhs) > tolerance) mismatches++;
  };
  for (const m of answer.matchAll(/<<([^=<>]+)=([^<>]+)>>/g)) visit(m[1]!, m[2]!);
  const plain = answer.replace(/<<[^<>]*>>/g, ' ');
  for (const m of plain.matchAll(/((?:[$\d.,()%]+\s*[-+*/×÷x]\s*)+[$\d.,()%]+)\s*=\s*\$?(-?\d[\d,]*(?:\.\d+)?)/g)) visit(m[1]!, m[2]!);
  return { computations, mismatches };
}

/** The self-check's feature vector, in ANSWER_CHECK_FEATURES order (raw; the model standardizes them). */
export function answerCheckFeatures(answer: string): number[] {
  const final = finalNumber(answer);
  const { computations, mismatches } = checkComputations(answer);
  return [
    final === undefined ? 1 : 0,
    STATED_FINAL.test(answer) ? 0 : 1,
    final !== undefined && !Number.isInteger(final) ? 1 : 0,
    final !== undefined && final < 0 ? 1 : 0,
    Math.log1p(mismatches),
    Math.log1p(computations),
    Math.log1p(answer.length),
    Math.log1p((answer.match(/\b(?:however|assum\w*|actually|approximately|cannot|impossible|not possible|mistake|incorrect)\b/gi) ?? []).length),
    Math.log1p((answer.match(/\bround\w*/gi) ?? []).length),
  ];
}

/**
 * The cascade's weights file: logistic regression over the answer's self-check features and the question's
 * dense features, predicting "this small-model answer is wrong". Trained by `npm run bench:routing`.
 */
export const answerCheckModelSchema = z.strictObject({
  version: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
  check_version: z.literal(ANSWER_CHECK_VERSION),
  feature_version: z.literal(FEATURE_VERSION),
  target: z.literal('answer-wrong'),
  names: z.array(z.string()),
  mean: z.array(z.number()),
  std: z.array(z.number().positive()),
  bias: z.number(),
  weights: z.array(z.number()),
  /** Escalate at or above this probability; picked on the training rows for ~95% of the strong model's quality. */
  default_threshold: z.number().min(0).max(1),
  trained_on: z.strictObject({ source: z.string().max(512), rows: z.number().int().min(0), split: z.string().max(256) }),
});
export type AnswerCheckModel = z.infer<typeof answerCheckModelSchema>;

/**
 * How the answer uses the question's numbers (v2): a solution that leaves given quantities unused, or whose final
 * number is one of the givens or far from their magnitude, is more often wrong.
 */
export const ANSWER_PAIR_FEATURES = ['unused_given_share', 'final_is_given', 'final_log_ratio', 'final_abs_log_ratio', 'log_numbers', 'numbers_per_given'] as const;

const plainNumbers = (text: string): number[] => (text.match(/\d[\d,]*(?:\.\d+)?/g) ?? []).map((s) => Number(s.replace(/,/g, ''))).filter((n) => Number.isFinite(n));

/** The pair features, in ANSWER_PAIR_FEATURES order (raw). */
export function answerPairFeatures(question: string, answer: string): number[] {
  const given = [...new Set(plainNumbers(question))];
  const written = plainNumbers(answer);
  const writtenSet = new Set(written);
  const final = finalNumber(answer);
  const largest = Math.max(1, ...given.map(Math.abs));
  const ratio = final === undefined ? 0 : Math.log10((Math.abs(final) + 1) / largest);
  return [
    given.length === 0 ? 0 : given.filter((n) => !writtenSet.has(n)).length / given.length,
    final !== undefined && given.includes(final) ? 1 : 0,
    ratio,
    Math.abs(ratio),
    Math.log1p(written.length),
    given.length === 0 ? 0 : written.length / given.length,
  ];
}

export const ANSWER_CHECK_INPUTS = [
  ...ANSWER_CHECK_FEATURES.map((f) => `answer_${f}`),
  ...ANSWER_PAIR_FEATURES.map((f) => `pair_${f}`),
  ...DENSE_FEATURES.map((f) => `question_${f}`),
];

/** The raw input vector of the cascade model: the answer's self-check, how it uses the givens, the question's dense features. */
export function answerCheckInputs(question: string, answer: string): number[] {
  return [...answerCheckFeatures(answer), ...answerPairFeatures(question, answer), ...denseFeatures(question)];
}

/** Probability that a small model's answer is wrong, from a validated weights file. */
export class AnswerCheck {
  constructor(readonly model: AnswerCheckModel) {
    const n = ANSWER_CHECK_INPUTS.length;
    if (model.weights.length !== n || model.mean.length !== n || model.std.length !== n) throw new Error(`answer check ${model.version}: expected ${n} weights`);
  }

  static parse(raw: unknown): AnswerCheck {
    return new AnswerCheck(answerCheckModelSchema.parse(raw));
  }

  probabilityWrong(question: string, answer: string): number {
    const x = answerCheckInputs(question, answer);
    let z = this.model.bias;
    x.forEach((v, i) => (z += this.model.weights[i]! * ((v - this.model.mean[i]!) / this.model.std[i]!)));
    return sigmoid(z);
  }

  shouldEscalate(question: string, answer: string, threshold = this.model.default_threshold): boolean {
    return this.probabilityWrong(question, answer) >= threshold;
  }
}
