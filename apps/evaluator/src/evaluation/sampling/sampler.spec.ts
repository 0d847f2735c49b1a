import { randomUUID } from 'node:crypto';
import { Headers } from '@llm/contracts';
import { Sampler } from './sampler';
import { requestHalfPrefilter } from './sampling.prefilter';

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

  it('never refuses unread a request some feature of its tenant would sample, and refuses most of the rest', () => {
    const pass = requestHalfPrefilter(sampler);
    const features = [undefined, 'search', 'chat', 'x'];
    let refused = 0;
    for (let i = 0; i < 2_000; i += 1) {
      for (const tenant of ['acme', 'beta', 'other', 'platform-evaluator']) {
        const id = randomUUID();
        const wanted = pass({ key: tenant, headers: { [Headers.requestId]: id } });
        if (features.some((f) => sampler.isSampled(tenant, f, id))) expect(wanted).toBe(true);
        if (!wanted) refused += 1;
      }
    }
    // acme samples its search feature in full, so all of acme is read; beta reads about half, other a quarter.
    expect(refused / 8_000).toBeGreaterThan(0.4);
    expect(pass({ key: null, headers: {} })).toBe(true);
    expect(pass({ key: 'other', headers: {} })).toBe(true);
  });
});
