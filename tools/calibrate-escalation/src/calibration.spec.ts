import { quantiles, thresholdForShare } from './calibration';

describe('escalation threshold calibration', () => {
  const means = [-2, -1.5, -1, -0.8, -0.6, -0.5, -0.4, -0.3, -0.2, -0.1];

  it('puts the threshold so that the requested share of answers falls below it', () => {
    const t = thresholdForShare(means, 0.2)!;
    expect(means.filter((m) => m < t)).toHaveLength(2);
    expect(t).toBeCloseTo(-1.25);
    expect(thresholdForShare(means, 0)).toBe(-2);
    expect(means.filter((m) => m < thresholdForShare(means, 0)!)).toHaveLength(0);
    expect(thresholdForShare(means, 1)).toBe(0);
    expect(thresholdForShare([], 0.2)).toBeUndefined();
  });

  it('reports quantiles of the distribution', () => {
    expect(quantiles(means, [0.1, 0.5, 0.9])).toEqual({ p10: -1.5, p50: -0.5, p90: -0.1 });
  });
});
