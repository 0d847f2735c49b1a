import { readFileSync } from 'node:fs';
import {
  ANSWER_CHECK_FEATURES,
  ANSWER_CHECK_INPUTS,
  ANSWER_CHECK_VERSION,
  ANSWER_PAIR_FEATURES,
  AnswerCheck,
  answerCheckFeatures,
  answerCheckInputs,
  answerPairFeatures,
  checkComputations,
  evaluateArithmetic,
  finalNumber,
} from './answer-check';
import { FEATURE_VERSION } from './features';
import { trainLogistic } from './logistic';

const feature = (answer: string, name: (typeof ANSWER_CHECK_FEATURES)[number]) => answerCheckFeatures(answer)[ANSWER_CHECK_FEATURES.indexOf(name)];

describe('answer self-check', () => {
  it('evaluates plain arithmetic and nothing else', () => {
    expect(evaluateArithmetic('16 - 3 - 4')).toBe(9);
    expect(evaluateArithmetic('2 + 3 * (4 - 1)')).toBe(11);
    expect(evaluateArithmetic('$80,000 × 1.5')).toBe(120_000);
    expect(evaluateArithmetic('50%*10')).toBe(5);
    expect(evaluateArithmetic('-2*3')).toBe(-6);
    expect(evaluateArithmetic('process.exit(1)')).toBeUndefined();
    expect(evaluateArithmetic('2 +')).toBeUndefined();
  });

  it('finds the stated final number, else the last number', () => {
    expect(finalNumber('9 * 2 = 18\n#### 18')).toBe(18);
    expect(finalNumber('So the answer is $1,250.50 in total, not 3')).toBe(1250.5);
    expect(finalNumber('She has 3 left, then buys 4 more: 7')).toBe(7);
    expect(finalNumber('I cannot tell')).toBeUndefined();
  });

  it('counts written computations and the ones that do not add up', () => {
    expect(checkComputations('16 - 3 = 13 eggs, then 13 - 4 = 9, and 9 * 2 = $<<9*2=18>>18')).toEqual({ computations: 3, mismatches: 0 });
    expect(checkComputations('3 * 4 = 13 and <<10/4=2.5>>')).toEqual({ computations: 2, mismatches: 1 });
    // Rounded to the decimals the answer shows is not a mismatch.
    expect(checkComputations('10 / 3 = 3.33')).toEqual({ computations: 1, mismatches: 0 });
    expect(checkComputations('It costs 5 = five dollars')).toEqual({ computations: 0, mismatches: 0 });
  });

  it('flags answers without a stated final answer or with a fractional count', () => {
    expect(feature('9 * 2 = 18\n#### 18', 'no_stated_final')).toBe(0);
    expect(feature('she makes 18 dollars', 'no_stated_final')).toBe(1);
    expect(feature('#### 2.5', 'non_integer_final')).toBe(1);
    expect(feature('#### 3', 'non_integer_final')).toBe(0);
    expect(answerCheckInputs('How many?', '#### 3')).toHaveLength(ANSWER_CHECK_INPUTS.length);
  });

  it("reads how the answer uses the question's numbers", () => {
    const pair = (q: string, a: string) => Object.fromEntries(ANSWER_PAIR_FEATURES.map((f, i) => [f, answerPairFeatures(q, a)[i]]));
    const all = pair('Tom has 3 apples and buys 4. How many?', '3 + 4 = 7\n#### 7');
    expect(all).toMatchObject({ unused_given_share: 0, final_is_given: 0 });
    expect(all.final_log_ratio).toBeCloseTo(Math.log10(8 / 4));
    // One of three givens never used, and the final number is one of the givens.
    expect(pair('Tom has 3 apples, buys 4 more and eats 2. How many?', 'He buys 4, so #### 4')).toMatchObject({ unused_given_share: 2 / 3, final_is_given: 1 });
    expect(pair('How many?', 'I cannot tell')).toMatchObject({ unused_given_share: 0, final_is_given: 0, final_log_ratio: 0 });
  });

  it('learns from labelled answers and scores through a validated weights file', () => {
    const rows = [
      { q: 'Tom has 3 apples and buys 4. How many?', a: '3 + 4 = 7\n#### 7', wrong: 0 },
      { q: 'Ann has 5 pens and loses 2. How many?', a: '5 - 2 = 3\n#### 3', wrong: 0 },
      { q: 'A box holds 6 eggs. How many in 3 boxes?', a: '6 * 3 = 18\n#### 18', wrong: 0 },
      { q: 'Split 7 cakes among 2. How many each?', a: '7 / 2 = 4 so maybe 3.5 each', wrong: 1 },
      { q: 'Bob runs 3 km a day. How far in a week?', a: '3 * 7 = 24, roughly 24.5', wrong: 1 },
      { q: 'Sue reads 4 pages an hour. Pages in 5 hours?', a: '4 + 5 = 10 so about 10.5', wrong: 1 },
    ];
    const raw = rows.map((r) => answerCheckInputs(r.q, r.a));
    const n = ANSWER_CHECK_INPUTS.length;
    const indices = Array.from({ length: n }, (_, j) => j);
    const lr = trainLogistic(
      raw.map((values) => ({ indices, values })),
      rows.map((r) => r.wrong),
      { dimensions: n, l2: 1e-3, epochs: 300, learningRate: 0.1 },
    );
    const check = AnswerCheck.parse({
      version: 'spec-1',
      check_version: ANSWER_CHECK_VERSION,
      feature_version: FEATURE_VERSION,
      target: 'answer-wrong',
      names: ANSWER_CHECK_INPUTS,
      mean: indices.map(() => 0),
      std: indices.map(() => 1),
      bias: lr.bias,
      weights: lr.weights,
      default_threshold: 0.5,
      trained_on: { source: 'spec', rows: rows.length, split: 'all' },
    });
    expect(check.shouldEscalate('Kim has 8 cards and gives 3 away. How many?', '8 - 3 = 6, about 5.5')).toBe(true);
    expect(check.shouldEscalate('Kim has 8 cards and gives 3 away. How many?', '8 - 3 = 5\n#### 5')).toBe(false);
    expect(() => AnswerCheck.parse({ ...check.model, weights: [0] })).toThrow(/expected \d+ weights/);
  });

  it('loads the shipped weights file', () => {
    const check = AnswerCheck.parse(JSON.parse(readFileSync(`${__dirname}/../../../infra/routing/answer-check.json`, 'utf8')));
    const p = check.probabilityWrong('Tom has 3 apples and buys 4. How many?', '3 + 4 = 7\n#### 7');
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
  });
});
