import { randomUUID } from 'node:crypto';
import { Sampler } from './sampler';

describe('Sampler', () => {
  const sampler = new Sampler({ defaultRate: 0.25, rates: { acme: 0, 'acme/search': 1, beta: 0.5 }, excludedTenants: ['platform-evaluator'] });

  it('picks the most specific rate: tenant/feature, then tenant, then the default', () => {
    expect(sampler.rateFor('acme', 'search')).toBe(1);
    expect(sampler.rateFor('acme', 'chat')).toBe(0);
    expect(sampler.rateFor('acme', undefined)).toBe(0);
    expect(sampler.rateFor('beta', 'x')).toBe(0.5);
    expect(sampler.rateFor('other', undefined)).toBe(0.25);
    expect(sampler.rateFor('platform-evaluator', undefined)).toBe(0);
  });

  it('decides the same way every time for one request id', () => {
    const id = randomUUID();
    const first = sampler.isSampled('beta', undefined, id);
    for (let i = 0; i < 5; i += 1) expect(sampler.isSampled('beta', undefined, id)).toBe(first);
  });

  it('samples close to the configured share', () => {
    const n = 4_000;
    let sampled = 0;
    for (let i = 0; i < n; i += 1) if (sampler.isSampled('other', undefined, randomUUID())) sampled += 1;
    expect(sampled / n).toBeGreaterThan(0.2);
    expect(sampled / n).toBeLessThan(0.3);
  });
});
