import { costMicros } from './cost';

describe('costMicros', () => {
  it('charges price per million tokens in micro-dollars, rounded up', () => {
    // 1,000 in at $0.15/M and 500 out at $0.60/M = $0.00015 + $0.0003 = 450 micros
    expect(costMicros(1_000, 500, 150_000, 600_000)).toBe(450);
    expect(costMicros(1, 0, 150_000, 0)).toBe(1);
    expect(costMicros(0, 0, 150_000, 600_000)).toBe(0);
  });

  it('stays exact beyond 2^53 intermediate products', () => {
    expect(costMicros(100_000_000, 100_000_000, 1_000_000_000, 1_000_000_000)).toBe(200_000_000_000);
  });

  it('rejects fractional or negative inputs', () => {
    expect(() => costMicros(1.5, 0, 1, 1)).toThrow(RangeError);
    expect(() => costMicros(-1, 0, 1, 1)).toThrow(RangeError);
  });
});
