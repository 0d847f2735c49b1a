import { decide, fitLogistic, needsClassifier, pairFeatures, verifierProbability } from './semantic-decision';

describe('semantic decision', () => {
  const verifier = { low: 0.7, weights: [10, -4, -4, 0, -3, -3], bias: -6, cutoff: 0.5 };

  it('a single threshold hits at or above it and misses below', () => {
    expect(decide(0.95, 'a', 'b', { threshold: 0.95 })).toBe('hit');
    expect(decide(0.9499, 'a', 'b', { threshold: 0.95 })).toBe('miss');
  });

  it('the second stage decides only between its floor and the threshold', () => {
    const policy = { threshold: 0.97, verifier };
    expect(decide(0.99, 'how do i learn java', 'how do i learn python', policy)).toBe('hit');
    expect(decide(0.6, 'how do refunds work', 'how do refunds work', policy)).toBe('miss');
    expect(decide(0.9, 'how do refunds work', 'how does a refund work', policy)).toBe('verified');
    expect(decide(0.9, 'how do i learn java', 'how do i learn python', policy)).toBe('rejected');
  });

  it('features see missing content words, differing numbers and a one-sided negation', () => {
    expect(pairFeatures(0.9, 'how do refunds work', 'how does a refund work')).toEqual([0.9, 0, 0, 1, 0, 0]);
    const [, missingQ, missingC, , numbers, negation] = pairFeatures(0.9, 'is 5 a prime number', 'is 7 not a prime number');
    expect([missingQ! > 0, missingC! > 0, numbers, negation]).toEqual([true, true, 1, 1]);
  });

  it('fits a logistic model that separates a separable set', () => {
    const samples = [
      ...Array.from({ length: 20 }, () => ({ features: [1, 0], label: 1 as const })),
      ...Array.from({ length: 20 }, () => ({ features: [0, 1], label: 0 as const })),
    ];
    const model = fitLogistic(samples, { epochs: 500 });
    expect(verifierProbability(model, [1, 0])).toBeGreaterThan(0.9);
    expect(verifierProbability(model, [0, 1])).toBeLessThan(0.1);
  });
});

describe('semantic decision with the classifier stage', () => {
  const policy = { threshold: 0.98, classifier: { low: 0.6, cutoff: 0.7 } };

  it('asks the classifier only between its low bound and the threshold', () => {
    expect(needsClassifier(0.99, policy)).toBe(false);
    expect(needsClassifier(0.59, policy)).toBe(false);
    expect(needsClassifier(0.6, policy)).toBe(true);
    expect(needsClassifier(0.9, { threshold: 0.95 })).toBe(false);
  });

  it('hits above the threshold, misses below the low bound, and follows the probability in between', () => {
    expect(decide(0.99, 'a', 'b', policy)).toBe('hit');
    expect(decide(0.5, 'a', 'b', policy, 0.99)).toBe('miss');
    expect(decide(0.8, 'a', 'b', policy, 0.71)).toBe('verified');
    expect(decide(0.8, 'a', 'b', policy, 0.69)).toBe('rejected');
  });

  it('rejects a borderline candidate when no probability was given', () => {
    expect(decide(0.8, 'a', 'b', policy)).toBe('rejected');
  });
});
