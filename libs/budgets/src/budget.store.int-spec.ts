import { randomBytes, randomUUID } from 'node:crypto';
import { testInfra } from '@llm/testing';
import Redis from 'ioredis';
import { BudgetStore } from './budget.store';

describe('BudgetStore on real Redis', () => {
  let redis: Redis;
  let store: BudgetStore;
  const at = new Date('2026-11-23T10:00:00Z');
  const tenant = () => `bud-${randomBytes(4).toString('hex')}`;

  beforeAll(() => {
    redis = new Redis(testInfra().REDIS_URL);
    store = new BudgetStore(redis);
  });
  afterAll(() => redis.quit());

  it('reserves the worst case, settles the actual cost and releases the difference, once per call', async () => {
    const t = tenant();
    await store.publish(t, 'tenant', '', 'day', at, { spentMicros: 100n, spentTokens: 10n, limitMicros: 1_000n, limitTokens: null });
    const req = randomUUID();
    expect(await store.reserve({ tenantId: t }, req, { micros: 600, tokens: 50 }, at)).toEqual({ ok: true, alreadyReserved: false });
    expect(await store.read(t, 'tenant', '', 'day', at)).toMatchObject({ spentMicros: 100, reservedMicros: 600, reservedTokens: 50, limitMicros: 1_000 });
    // Over the limit while the first reservation is held: spent 100 + reserved 600 + 400 > 1000.
    expect(await store.reserve({ tenantId: t }, randomUUID(), { micros: 400, tokens: 1 }, at)).toEqual({ ok: false, exceeded: { scope: 'tenant', period: 'day' } });
    expect(await store.settle({ tenantId: t }, req, 'c1', { micros: 250n, tokens: 30 }, at)).toBe(true);
    expect(await store.settle({ tenantId: t }, req, 'c1', { micros: 250n, tokens: 30 }, at)).toBe(false);
    expect(await store.read(t, 'tenant', '', 'day', at)).toMatchObject({ spentMicros: 350, reservedMicros: 0, spentTokens: 40, reservedTokens: 0 });
    expect(await store.read(t, 'tenant', '', 'month', at)).toMatchObject({ spentMicros: 250, reservedMicros: 0 });
  });

  it('never lets concurrent reservations pass a limit together', async () => {
    const t = tenant();
    await store.publish(t, 'tenant', '', 'day', at, { spentMicros: 0n, spentTokens: 0n, limitMicros: 1_000n, limitTokens: null });
    const results = await Promise.all(Array.from({ length: 50 }, () => store.reserve({ tenantId: t }, randomUUID(), { micros: 100, tokens: 1 }, at)));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
  });

  it('checks user and feature budgets only where one is published, and release gives everything back', async () => {
    const t = tenant();
    await store.publish(t, 'user', 'u1hash', 'month', at, { spentMicros: 0n, spentTokens: 0n, limitMicros: null, limitTokens: 100n });
    const subject = { tenantId: t, userHash: 'u1hash', feature: 'chat' };
    const req = randomUUID();
    expect(await store.reserve(subject, randomUUID(), { micros: 1, tokens: 101 }, at)).toEqual({ ok: false, exceeded: { scope: 'user', period: 'month' } });
    expect(await store.reserve(subject, req, { micros: 5, tokens: 60 }, at)).toMatchObject({ ok: true });
    expect(await store.reserve(subject, req, { micros: 5, tokens: 60 }, at)).toEqual({ ok: true, alreadyReserved: true });
    expect(await store.read(t, 'user', 'u1hash', 'month', at)).toMatchObject({ reservedTokens: 60 });
    // No feature budget: its state is not created.
    expect(await redis.exists(`t:${t}:budget:feature:${Buffer.from('chat').toString('base64url')}:d20261123`)).toBe(0);
    expect(await store.release(t, req)).toBe(true);
    expect(await store.release(t, req)).toBe(false);
    expect(await store.read(t, 'user', 'u1hash', 'month', at)).toMatchObject({ reservedTokens: 0, reservedMicros: 0 });
    expect(await store.read(t, 'tenant', '', 'day', at)).toMatchObject({ reservedTokens: 0, reservedMicros: 0 });
  });
});

describe('BudgetStore.settleMany', () => {
  it('settles a batch in one script, each call once, releasing each request reservation', async () => {
    const redis = new Redis(testInfra().REDIS_URL);
    const store = new BudgetStore(redis);
    const at = new Date('2026-11-23T10:00:00Z');
    const t = `bud-${randomBytes(4).toString('hex')}`;
    const req = randomUUID();
    await store.reserve({ tenantId: t }, req, { micros: 900, tokens: 9 }, at);
    const calls = [
      { subject: { tenantId: t }, requestId: req, callId: 'c1', micros: 100n, tokens: 1, at },
      { subject: { tenantId: t, userHash: 'u' }, requestId: randomUUID(), callId: 'c1', micros: 20n, tokens: 2, at },
    ];
    expect(await store.settleMany(calls, 1)).toBe(2);
    expect(
      await store.settleMany([
        { ...calls[1]!, requestId: randomUUID() },
        { ...calls[1]!, requestId: randomUUID() },
      ]),
    ).toBe(2);
    expect(await store.settleMany(calls)).toBe(0);
    expect(await store.read(t, 'tenant', '', 'day', at)).toMatchObject({ spentMicros: 160, spentTokens: 7, reservedMicros: 0, reservedTokens: 0 });
    await redis.quit();
  });

  it('charges each call of one chunk to its own day, user and feature states', async () => {
    const redis = new Redis(testInfra().REDIS_URL);
    const store = new BudgetStore(redis);
    const t = `bud-${randomBytes(4).toString('hex')}`;
    const day1 = new Date('2026-11-23T10:00:00Z');
    const day1Late = new Date('2026-11-23T23:59:59Z');
    const day2 = new Date('2026-11-24T00:00:01Z');
    // User and feature states are charged only where a budget was published.
    const zero = { spentMicros: 0n, spentTokens: 0n, limitMicros: null, limitTokens: null };
    for (const [scope, subject, period, at] of [
      ['user', 'u1', 'day', day1],
      ['user', 'u1', 'day', day2],
      ['user', 'u2', 'day', day1],
      ['feature', 'chat', 'day', day1],
      ['feature', 'chat', 'month', day1],
    ] as const) {
      await store.publish(t, scope, subject, period, at, zero);
    }
    const call = (at: Date, micros: bigint, subject: { userHash?: string; feature?: string }) => ({
      subject: { tenantId: t, ...subject },
      requestId: randomUUID(),
      callId: 'c1',
      micros,
      tokens: 1,
      at,
    });
    expect(
      await store.settleMany([
        call(day1, 1n, { userHash: 'u1', feature: 'chat' }),
        call(day1Late, 2n, { userHash: 'u1', feature: 'chat' }),
        call(day2, 4n, { userHash: 'u1', feature: 'chat' }),
        call(day1, 8n, { userHash: 'u2', feature: 'chat' }),
        call(day1, 16n, { userHash: 'u1' }),
        call(day1, 32n, {}),
      ]),
    ).toBe(6);
    const spent = async (scope: 'tenant' | 'user' | 'feature', subject: string, period: 'day' | 'month', at: Date) => (await store.read(t, scope, subject, period, at)).spentMicros;
    expect(await spent('tenant', '', 'day', day1)).toBe(1 + 2 + 8 + 16 + 32);
    expect(await spent('tenant', '', 'day', day2)).toBe(4);
    expect(await spent('tenant', '', 'month', day2)).toBe(63);
    expect(await spent('user', 'u1', 'day', day1)).toBe(1 + 2 + 16);
    expect(await spent('user', 'u1', 'day', day2)).toBe(4);
    expect(await spent('user', 'u2', 'day', day1)).toBe(8);
    expect(await spent('feature', 'chat', 'day', day1)).toBe(1 + 2 + 8);
    expect(await spent('feature', 'chat', 'month', day1)).toBe(15);
    await redis.quit();
  });
});
