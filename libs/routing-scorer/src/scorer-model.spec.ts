import { DENSE_FEATURES, FEATURE_VERSION, hashedFeatures, tokenize } from './features';
import { trainLogistic } from './logistic';
import { ComplexityScorer, scorerModelSchema, vectorize } from './scorer-model';

describe('complexity scorer', () => {
  it('folds numbers by digit count and hashes the same text to the same vector', () => {
    expect(tokenize('She sells 16 eggs for $2.50')).toEqual(['she', 'sells', '<num2>', 'eggs', 'for', '$', '<num3>']);
    expect(hashedFeatures('a b c', 64)).toEqual(hashedFeatures('a b c', 64));
  });

  it('learns a separable label and scores through a validated weights file', () => {
    const hard = ['prove the theorem about groups', 'integrate the differential form', 'prove the lemma on rings'];
    const easy = ['what colour is the sky', 'name a fruit', 'what colour is grass'];
    const dense = { mean: DENSE_FEATURES.map(() => 0), std: DENSE_FEATURES.map(() => 1) };
    const x = [...hard, ...easy].map((t) => vectorize(t, 256, dense));
    const lr = trainLogistic(x, [1, 1, 1, 0, 0, 0], { dimensions: 256 + DENSE_FEATURES.length, l2: 1e-4, epochs: 200, learningRate: 0.1 });
    const model = scorerModelSchema.parse({
      version: 'test-1',
      feature_version: FEATURE_VERSION,
      target: 'weak-wrong',
      buckets: 256,
      dense: { names: [...DENSE_FEATURES], ...dense },
      bias: lr.bias,
      weights: lr.weights,
      cost_exponent: 0,
      default_threshold: 0.5,
      trained_on: { source: 'spec', rows: 6, split: 'all' },
    });
    const scorer = new ComplexityScorer(model);
    expect(scorer.score('prove the theorem about rings')).toBeGreaterThan(0.5);
    expect(scorer.score('what colour is a fruit')).toBeLessThan(0.5);
  });

  it('refuses weights that do not match the feature layout', () => {
    const bad = {
      version: 'x',
      feature_version: FEATURE_VERSION,
      target: 'weak-wrong' as const,
      buckets: 16,
      dense: { names: [], mean: [], std: [] },
      bias: 0,
      weights: [0],
      cost_exponent: 0,
      default_threshold: 0.5,
      trained_on: { source: '', rows: 0, split: '' },
    };
    expect(() => new ComplexityScorer(bad)).toThrow(new RegExp(`expected ${16 + DENSE_FEATURES.length} weights`));
  });

  it('loads the shipped weights file', () => {
    const scorer = ComplexityScorer.load(`${__dirname}/../../../infra/routing/complexity-scorer.json`);
    const s = scorer.score('What is 2 + 2?\nA. 3\nB. 4\nC. 5\nD. 6\nAnswer:');
    expect(s).toBeGreaterThan(0);
    expect(s).toBeLessThan(1);
  });
});

describe('per-kind thresholds', () => {
  it('uses the multiple-choice or open-question threshold where the weights file has them, else the default', () => {
    const model = ComplexityScorer.load(`${__dirname}/../../../infra/routing/complexity-scorer.json`).model;
    const mc = 'Which is a prime?\nA. 4\nB. 7\nC. 8\nD. 9\nAnswer:';
    const open = 'Tom has 3 apples and buys 4 more. How many apples does he have?';
    const calibrated = new ComplexityScorer({ ...model, default_threshold: 0.5, thresholds: { multiple_choice: 0.2, open: 0.3 } });
    expect(calibrated.thresholdFor(mc)).toBe(0.2);
    expect(calibrated.thresholdFor(open)).toBe(0.3);
    const { thresholds: _, ...withoutKinds } = model;
    expect(new ComplexityScorer({ ...withoutKinds, default_threshold: 0.5 }).thresholdFor(open)).toBe(0.5);
  });
});

describe('cost-aware routing value', () => {
  it('divides the score by prompt tokens to the cost exponent, and is the score itself at exponent 0', () => {
    const model = ComplexityScorer.load(`${__dirname}/../../../infra/routing/complexity-scorer.json`).model;
    const at = (cost_exponent: number) => new ComplexityScorer({ ...model, cost_exponent });
    expect(at(0).routingValue(0.6, 100)).toBe(0.6);
    expect(at(1).routingValue(0.6, 100)).toBeCloseTo(0.006);
    expect(at(1).routingValue(0.6, 0)).toBe(0.6);
  });
});
