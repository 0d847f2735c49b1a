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

  describe('API key overrides stored in Postgres', () => {
    const stored = () =>
      new PlanBook(
        plansSchema.parse({
          plans: { paid: { band: 'realtime-paid', limits: { key: { requests_per_minute: 100 }, tenant: { requests_per_minute: 1000 } }, model_tiers: ['small', 'large'] } },
          tier_plans: { free: 'paid', paid: 'paid' },
          keys: { 'key-file': { limits: { requests_per_minute: 7 }, concurrency: { key: 3 } } },
        }),
      );

    it('replaces the key scope of the plan for that key only, and a file override as a whole', () => {
      const book = stored();
      book.overlay({
        plans: {},
        tenants: {},
        keys: { 'key-db': { limits: { requests_per_minute: 2 }, concurrency: { in_flight_key: 1 } }, 'key-file': { limits: { tokens_per_day: 9 } } },
      });
      const db = book.resolve({ tenantId: 't', tier: 'paid', apiKeyId: 'key-db' });
      expect(db.limits.key).toEqual({ requests_per_minute: 2 });
      expect(db.limits.tenant).toEqual({ requests_per_minute: 1000 });
      expect(db.concurrency).toEqual({ in_flight_key: 1 });
      expect(book.resolve({ tenantId: 't', tier: 'paid', apiKeyId: 'other' }).limits.key).toEqual({ requests_per_minute: 100 });
      const file = book.resolve({ tenantId: 't', tier: 'paid', apiKeyId: 'key-file' });
      expect([file.limits.key, file.concurrency]).toEqual([{ requests_per_minute: 100, tokens_per_day: 9 }, {}]);
    });

    it('forgets an override removed from Postgres at the next overlay (the memo included)', () => {
      const book = stored();
      book.overlay({ plans: {}, tenants: {}, keys: { 'key-db': { limits: { requests_per_minute: 2 } } } });
      expect(book.resolve({ tenantId: 't', tier: 'paid', apiKeyId: 'key-db' }).limits.key.requests_per_minute).toBe(2);
      book.overlay({ plans: {}, tenants: {}, keys: {} });
      expect(book.resolve({ tenantId: 't', tier: 'paid', apiKeyId: 'key-db' }).limits.key.requests_per_minute).toBe(100);
    });

    it('skips an invalid stored override instead of applying part of it, and says which', () => {
      const book = stored();
      expect(book.overlay({ plans: {}, tenants: {}, keys: { bad: { limits: { requests_per_minute: -1 } }, odd: { concurrency: { tenant: 5 } } } })).toEqual({
        skipped: [],
        skippedKeys: ['bad', 'odd'],
      });
      expect(book.resolve({ tenantId: 't', tier: 'paid', apiKeyId: 'bad' }).limits.key.requests_per_minute).toBe(100);
    });

    it('narrows model access to what both the plan and the key allow, never widens it', () => {
      const book = stored();
      book.overlay({ plans: {}, tenants: {}, keys: { small: { model_tiers: ['small'] }, wide: { model_tiers: ['medium', 'large'] }, named: { models: ['sim-large'] } } });
      const small = book.resolve({ tenantId: 't', tier: 'paid', apiKeyId: 'small' });
      expect(modelAccess(catalog, small, 'sim-large')).toEqual({ allowed: false, reason: 'not-in-plan' });
      expect(modelAccess(catalog, small, 'sim-small')).toEqual({ allowed: true });
      expect(allowedModelNames(catalog, small)).not.toContain('sim-large');
      expect(allowedTiers(catalog, small)).toEqual(['small']);
      const wide = book.resolve({ tenantId: 't', tier: 'paid', apiKeyId: 'wide' });
      // The plan has no medium tier: a key cannot add it.
      expect(modelAccess(catalog, wide, 'sim-medium')).toEqual({ allowed: false, reason: 'not-in-plan' });
      expect(modelAccess(catalog, wide, 'sim-large')).toEqual({ allowed: true });
      expect(allowedTiers(catalog, wide)).toEqual(['large']);
      const named = book.resolve({ tenantId: 't', tier: 'paid', apiKeyId: 'named' });
      expect(allowedModelNames(catalog, named).filter((n) => n.startsWith('sim-'))).toEqual(['sim-large']);
      const plain = book.resolve({ tenantId: 't', tier: 'paid', apiKeyId: 'plain' });
      expect(plain.key_access).toBeUndefined();
      expect(modelAccess(catalog, plain, 'sim-large')).toEqual({ allowed: true });
    });
  });

  it('prices a route at its priciest model', () => {
    expect(priciestModel(catalog, 'auto')?.id).toBe('sim-large');
  });
});
