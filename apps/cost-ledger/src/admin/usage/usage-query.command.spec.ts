import { UsageQueryCommand } from './usage-query.command';

describe('UsageQueryCommand', () => {
  const now = new Date('2026-11-23T12:00:00Z');

  it('answers from the smallest rollup that has the dimensions asked for', () => {
    const q = (query: Record<string, unknown>) => UsageQueryCommand.create({ from: '2026-11-01', to: '2026-11-23', ...query }, now).table;
    expect(q({ group_by: 'tenant,day' })).toBe('usage_daily_tenants');
    expect(q({ group_by: 'tenant,model,day' })).toBe('usage_daily');
    expect(q({ group_by: 'tenant', model: 'm' })).toBe('usage_daily');
    expect(q({ group_by: 'model,hour' })).toBe('usage_hourly');
    expect(q({ group_by: 'user,day', tenant_id: 'acme' })).toBe('usage_daily_users');
    expect(q({ group_by: 'model', from: '2026-11-01T05:00:00Z' })).toBe('usage_hourly');
    expect(q({ group_by: 'tenant,fallback_step,day' })).toBe('usage_daily');
    expect(q({ group_by: 'tenant,day', fallback_step: 'cached-answer' })).toBe('usage_daily');
    expect(q({ group_by: 'fallback_step,hour' })).toBe('usage_hourly');
  });

  it('hashes a user filter like the usage rows', () => {
    const c = UsageQueryCommand.create({ from: '2026-11-01', to: '2026-11-02', user_id: 'alice@example.com' }, now);
    expect(c.filters.userHash).toBeDefined();
    expect(c.filters.userHash).not.toContain('alice');
  });

  it('round-trips its cursor: the next page starts after the last group of this one, for this grouping only', () => {
    const c = UsageQueryCommand.create({ from: '2026-11-01', to: '2026-11-23', group_by: 'tenant,model,day', limit: '2' }, now);
    expect(c.limit).toBe(2);
    const next = UsageQueryCommand.create(
      { from: '2026-11-01', to: '2026-11-23', group_by: 'tenant,model,day', cursor: c.cursorAfter({ tenant_id: 'acme', model: 'm"x', day: '2026-11-02' }) },
      now,
    );
    expect(next.after).toEqual(['acme', 'm"x', '2026-11-02']);
    expect(() => UsageQueryCommand.create({ group_by: 'tenant,day', cursor: c.cursorAfter({ tenant_id: 'acme', model: 'm', day: '2026-11-02' }) }, now)).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });

  it.each([
    [{ group_by: 'colour' }],
    [{ group_by: 'day,hour' }],
    [{ group_by: 'user,model' }],
    [{ from: '2026-11-23', to: '2026-11-01' }],
    [{ from: '2020-01-01', to: '2026-01-01' }],
    [{ tenant_id: 'ACME;drop' }],
    [{ model: ['a', 'b'] }],
    [{ fallback_step: 'sideways' }],
    [{ group_by: 'user,fallback_step', tenant_id: 'acme' }],
    [{ group_by: 'tenant,user,day', tenant_id: 'acme', fallback_step: 'primary' }],
    [{ limit: '10001' }],
    [{ limit: '-1' }],
    [{ group_by: 'tenant', cursor: 'not-a-cursor' }],
    [{ group_by: 'tenant', cursor: Buffer.from(JSON.stringify({ group_by: 'tenant', key: '["a","b"]' })).toString('base64url') }],
    [{ cursor: Buffer.from(JSON.stringify({ group_by: '', key: '[]' })).toString('base64url') }],
  ])('refuses %j', (query) => {
    expect(() => UsageQueryCommand.create(query, now)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });
});
