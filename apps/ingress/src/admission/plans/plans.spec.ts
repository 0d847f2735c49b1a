import { parseCatalog } from '@llm/catalog';
import { readFileSync } from 'node:fs';
import { allowedModelNames, allowedTiers, modelAccess, priciestModel } from './model-access';
import { PlanBook } from './plan-book';
import { DEFAULT_PLANS, plansSchema } from './plan.schema';

const catalog = parseCatalog(JSON.parse(readFileSync('infra/catalog/models.json', 'utf8')));

describe('plans', () => {
  const book = new PlanBook(
    plansSchema.parse({
      plans: {
        free: { band: 'realtime-free', limits: { key: { requests_per_minute: 5 } }, concurrency: { key: 2 }, model_tiers: ['small'] },
        paid: { band: 'realtime-paid', model_tiers: ['small', 'large'] },
        trial: { band: 'realtime-free', model_tiers: ['small'], models: ['sim-large'] },
      },
      tier_plans: { free: 'free', paid: 'paid' },
      tenants: { 'acme-trial': 'trial' },
      keys: { 'key-vip': { limits: { requests_per_minute: 50 }, concurrency: { key: 10 } } },
    }),
  );

  it('resolves a tenant to its assigned plan, else its tier’s', () => {
    expect(book.resolve({ tenantId: 'acme-trial', tier: 'paid' }).id).toBe('trial');
    expect(book.resolve({ tenantId: 'other', tier: 'paid' }).id).toBe('paid');
    expect(book.resolve({ tenantId: 'other', tier: 'free' }).band).toBe('realtime-free');
  });

  it('applies a key’s overrides to the key scope only', () => {
    const vip = book.resolve({ tenantId: 'x', tier: 'free', apiKeyId: 'key-vip' });
    expect(vip.limits.key.requests_per_minute).toBe(50);
    expect(vip.concurrency).toEqual({ key: 10 });
    expect(book.resolve({ tenantId: 'x', tier: 'free', apiKeyId: 'key-plain' }).limits.key.requests_per_minute).toBe(5);
  });

  it('refuses a plans file naming an unknown plan', () => {
    expect(plansSchema.safeParse({ plans: {}, tier_plans: { free: 'free', paid: 'paid' } }).success).toBe(false);
  });

  it('lets a free plan use small models and routes that lead with one, not large ones', () => {
    const free = DEFAULT_PLANS.plans.free!;
    expect(modelAccess(catalog, free, 'sim-small')).toEqual({ allowed: true });
    expect(modelAccess(catalog, free, 'auto')).toEqual({ allowed: true });
    expect(modelAccess(catalog, free, 'sim-large')).toEqual({ allowed: false, reason: 'not-in-plan' });
    expect(modelAccess(catalog, free, 'best')).toEqual({ allowed: false, reason: 'not-in-plan' });
    expect(modelAccess(catalog, free, 'constructor')).toEqual({ allowed: false, reason: 'unknown' });
    expect(allowedModelNames(catalog, free)).not.toContain('sim-large');
    expect(allowedModelNames(catalog, DEFAULT_PLANS.plans.paid!)).toEqual(expect.arrayContaining(['sim-large', 'best', 'auto', 'sim-small']));
  });

  it('allows a model named by the plan beyond its tiers', () => {
    expect(modelAccess(catalog, book.resolve({ tenantId: 'acme-trial', tier: 'free' }), 'sim-large')).toEqual({ allowed: true });
  });

  it('sends the router the plan’s tiers, widened by the models it names', () => {
    expect(allowedTiers(catalog, DEFAULT_PLANS.plans.free!)).toEqual(['small']);
    expect(allowedTiers(catalog, book.resolve({ tenantId: 'acme-trial', tier: 'free' }))).toEqual(['small', 'large']);
    expect(allowedTiers(catalog, DEFAULT_PLANS.plans.paid!)).toEqual(['small', 'medium', 'large']);
  });

  it('prices a route at its priciest model', () => {
    expect(priciestModel(catalog, 'auto')?.id).toBe('sim-large');
  });
});
