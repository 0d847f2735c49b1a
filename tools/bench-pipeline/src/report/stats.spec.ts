import { achievedRate, addedLatency, highestSustainedRate, percentile, percentiles, sustains, type LevelOutcome } from './stats';

describe('percentile', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);

  it('is the nearest-rank value', () => {
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 95)).toBe(95);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
  });

  it('is the only sample of a single-sample run, and NaN with none', () => {
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('sorts unsorted samples numerically (not as strings)', () => {
    expect(percentiles([100, 9, 20, 3]).p50).toBe(9);
    expect(percentiles([100, 9, 20, 3]).max).toBe(100);
  });
});

describe('addedLatency', () => {
  it('subtracts direct from the system percentile by percentile', () => {
    expect(addedLatency({ p50: 12, p95: 30, p99: 80, max: 100 }, { p50: 2, p95: 5, p99: 10, max: 20 })).toEqual({ p50: 10, p95: 25, p99: 70 });
  });

  it('never reports a system faster than the upstream it forwards to (noise floors at zero)', () => {
    expect(addedLatency({ p50: 1, p95: 5, p99: 9, max: 9 }, { p50: 2, p95: 5, p99: 10, max: 20 })).toEqual({ p50: 0, p95: 0, p99: 0 });
  });

  it('is unknown when either side has no samples', () => {
    expect(addedLatency({ p50: Number.NaN, p95: 1, p99: 1, max: 1 }, { p50: 1, p95: 1, p99: 1, max: 1 }).p50).toBeNaN();
  });
});

describe('sustains', () => {
  it('needs 90% of the offered rate done and at most 3% errors', () => {
    expect(sustains({ targetRate: 100, achievedRate: 95, sent: 500, errors: 0 })).toBe(true);
    expect(sustains({ targetRate: 100, achievedRate: 80, sent: 500, errors: 0 })).toBe(false);
    expect(sustains({ targetRate: 100, achievedRate: 99, sent: 500, errors: 20 })).toBe(false);
    expect(sustains({ targetRate: 100, achievedRate: 0, sent: 0, errors: 0 })).toBe(false);
  });
});

describe('highestSustainedRate', () => {
  const level = (targetRate: number, addedP99: number, achieved = targetRate): LevelOutcome => ({ targetRate, achievedRate: achieved, sent: targetRate * 5, errors: 0, addedP99 });

  it('is the highest rate whose p99 added latency is under the budget', () => {
    const levels = [level(50, 5), level(100, 20), level(200, 60), level(400, 300)];
    expect(highestSustainedRate(levels, 50)).toBe(100);
    expect(highestSustainedRate(levels, 100)).toBe(200);
  });

  it('stops at the first failed level: a lucky level above it does not count', () => {
    expect(highestSustainedRate([level(50, 5), level(100, 500), level(200, 10)], 50)).toBe(50);
  });

  it('does not count a level the system could not keep up with, however fast its few answers were', () => {
    expect(highestSustainedRate([level(50, 5), level(100, 5, 60)], 50)).toBe(50);
  });

  it('is 0 when no level qualifies or the added latency is unknown', () => {
    expect(highestSustainedRate([level(50, 80)], 50)).toBe(0);
    expect(highestSustainedRate([level(50, Number.NaN)], 50)).toBe(0);
  });

  it('considers levels in rising order whatever order they were run in', () => {
    expect(highestSustainedRate([level(200, 10), level(50, 5), level(100, 8)], 50)).toBe(200);
  });
});

describe('achievedRate', () => {
  it('is successes per second of the span', () => {
    expect(achievedRate(500, 5000)).toBe(100);
    expect(achievedRate(10, 0)).toBe(0);
  });
});
