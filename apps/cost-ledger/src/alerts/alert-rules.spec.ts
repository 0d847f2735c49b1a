import { dailyBudget, DEFAULT_THRESHOLDS, expensiveRequest, hourlySpike } from './alert-rules';

describe('alert rules', () => {
  const hour = new Date('2026-11-23T10:00:00Z');

  it('flags a single request above $0.50 only', () => {
    expect(expensiveRequest('t', 'r', 500_000n, DEFAULT_THRESHOLDS)).toBeUndefined();
    expect(expensiveRequest('t', 'r', 500_001n, DEFAULT_THRESHOLDS)).toMatchObject({ kind: 'expensive_request', windowKey: 'request:r' });
  });

  it('flags an hour above 2x the 7-day hourly average, exactly at the boundary not', () => {
    const week = 168n * 1_000n; // average 1000 per hour
    expect(hourlySpike('t', hour, 2_000n, week, DEFAULT_THRESHOLDS)).toBeUndefined();
    expect(hourlySpike('t', hour, 2_001n, week, DEFAULT_THRESHOLDS)).toMatchObject({ windowKey: `hour:${hour.toISOString()}`, thresholdMicros: 2_000n });
    expect(hourlySpike('t', hour, 10n, 0n, DEFAULT_THRESHOLDS)).toBeUndefined();
    expect(hourlySpike('t', hour, 1_500n, week, { ...DEFAULT_THRESHOLDS, spikeFactorPct: 120 })).toBeDefined();
  });

  it('raises each daily budget threshold crossed, 100% as critical', () => {
    expect(dailyBudget('t', '2026-11-23', 799n, 1_000n, DEFAULT_THRESHOLDS)).toEqual([]);
    expect(dailyBudget('t', '2026-11-23', 800n, 1_000n, DEFAULT_THRESHOLDS).map((a) => [a.windowKey, a.severity])).toEqual([['day:2026-11-23:80', 'warning']]);
    expect(dailyBudget('t', '2026-11-23', 1_200n, 1_000n, DEFAULT_THRESHOLDS).map((a) => a.severity)).toEqual(['warning', 'critical']);
  });
});
