import { callCostMicros } from './cost';

const costMicros = (tokensIn: number, tokensOut: number, inPerMtok: number, outPerMtok: number) => callCostMicros({ tokensIn, cachedIn: 0, tokensOut }, { inPerMtok, outPerMtok });

describe('callCostMicros without cached tokens', () => {
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

describe('callCostMicros', () => {
  it('prices cached prompt tokens at the cached rate', () => {
    // 1,000 in of which 600 cached: 400 at $1/M + 600 at $0.10/M + 100 out at $2/M = 400 + 60 + 200 micros
    expect(callCostMicros({ tokensIn: 1_000, cachedIn: 600, tokensOut: 100 }, { inPerMtok: 1_000_000, cachedInPerMtok: 100_000, outPerMtok: 2_000_000 })).toBe(660);
  });

  it('falls back to the input price without a cached price', () => {
    expect(callCostMicros({ tokensIn: 1_000, cachedIn: 600, tokensOut: 0 }, { inPerMtok: 1_000_000, outPerMtok: 0 })).toBe(1_000);
  });
});
