import { parseCatalog } from '@llm/catalog';
import { estimateBody, estimateCost } from './estimate-cost.use-case';

const catalog = parseCatalog({
  providers: { p: { kind: 'openai-compatible', base_url: 'http://localhost:1' } },
  models: [
    { id: 'small', provider: 'p', deployment: 's', tier: 'small', context_window: 8000, price_in_micros_per_mtok: 150_000, price_out_micros_per_mtok: 600_000 },
    { id: 'large', provider: 'p', deployment: 'l', tier: 'large', context_window: 8000, price_in_micros_per_mtok: 2_500_000, price_out_micros_per_mtok: 10_000_000 },
  ],
  routes: { default: ['small', 'large'] },
});

describe('estimateCost', () => {
  it('prices the calls left after cache hits per model with the ledger rounding', () => {
    const e = estimateCost(
      catalog,
      estimateBody.parse({ requests_per_day: 1000, tokens_in: 1000, tokens_out: 500, cache_hit_rate: 0.2, routing_mix: { small: 0.75, large: 0.25 } }),
    );
    // small: 1000*0.15 + 500*0.6 = 450 µ$/call; large: 1000*2.5 + 500*10 = 7500 µ$/call; 24,000 model calls over 30 days.
    expect(e.models).toEqual([
      { model: 'small', provider: 'p', calls: 18_000, cost_per_call_micros: 450, cost_micros: 8_100_000 },
      { model: 'large', provider: 'p', calls: 6_000, cost_per_call_micros: 7_500, cost_micros: 45_000_000 },
    ]);
    expect(e.cost_micros).toBe(53_100_000);
    expect(e.cache_savings_micros).toBe(22_500 * 450 + 7_500 * 7_500 - 53_100_000);
  });

  it('refuses a mix that does not sum to 1 or names an unknown model', () => {
    expect(() => estimateCost(catalog, estimateBody.parse({ requests_per_day: 1, tokens_in: 1, tokens_out: 1, routing_mix: { small: 0.5 } }))).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
    expect(() => estimateCost(catalog, estimateBody.parse({ requests_per_day: 1, tokens_in: 1, tokens_out: 1, routing_mix: { nope: 1 } }))).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });
});
