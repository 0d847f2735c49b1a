import { GetUsageSummaryCommand } from './get-usage-summary.command';

describe('GetUsageSummaryCommand', () => {
  const now = new Date('2026-11-23T12:00:00Z');

  it('defaults to the last 24 hours', () => {
    const c = GetUsageSummaryCommand.create({ tenant_id: 'acme' }, now);
    expect(c.to).toEqual(now);
    expect(c.from).toEqual(new Date('2026-11-22T12:00:00Z'));
  });

  it.each([
    [{}],
    [{ tenant_id: 'ACME;drop' }],
    [{ tenant_id: 'acme', from: 'yesterday' }],
    [{ tenant_id: 'acme', from: '2026-11-23', to: '2026-11-01' }],
    [{ tenant_id: 'acme', from: '2020-01-01', to: '2026-01-01' }],
    [{ tenant_id: ['acme', 'globex'] }],
  ])('refuses %j with INVALID_QUERY', (query) => {
    expect(() => GetUsageSummaryCommand.create(query, now)).toThrow(expect.objectContaining({ code: 'INVALID_QUERY' }));
  });
});
