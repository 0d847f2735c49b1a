import { limitChecks, rateLimitHeaders, resetDuration, type CheckOutcome } from './rate-limit-plan';

describe('rate limit plan', () => {
  const limits = {
    key: { requests_per_minute: 10, tokens_per_day: 1000 },
    tenant: { requests_per_day: 100 },
    model: { tokens_per_minute: 500 },
    user: { requests_per_minute: 3 },
  };

  it('builds one counter per configured limit, tenant-scoped, with the user scope only when a user is named', () => {
    const checks = limitChecks(limits, { tenantId: 't1', apiKeyId: 'k1', model: 'auto' }, 42);
    expect(checks.map((c) => `${c.kind}/${c.scope}/${c.window}/${c.subject}/${c.points}`)).toEqual([
      'requests/key/minute/t1:k1/1',
      'tokens/key/day/t1:k1/42',
      'requests/tenant/day/t1/1',
      'tokens/model/minute/t1:auto/42',
    ]);
    expect(limitChecks(limits, { tenantId: 't1', apiKeyId: 'k1', model: 'auto', userId: 'u' }, 1).at(-1)).toMatchObject({ scope: 'user', subject: 't1:u' });
  });

  it('reports the counter closest to refusing, per kind, in OpenAI’s header format', () => {
    const [a, b, c] = limitChecks(limits, { tenantId: 't', apiKeyId: 'k', model: 'm' }, 5);
    const outcomes: CheckOutcome[] = [
      { check: a!, remaining: 7, resetMs: 30_000, refused: false },
      { check: b!, remaining: 900, resetMs: 3_600_000, refused: false },
      { check: c!, remaining: 2, resetMs: 61_500, refused: false },
    ];
    expect(rateLimitHeaders(outcomes)).toEqual({
      'x-ratelimit-limit-requests': '100',
      'x-ratelimit-remaining-requests': '2',
      'x-ratelimit-reset-requests': '1m2s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '900',
      'x-ratelimit-reset-tokens': '1h0m0s',
    });
    expect(resetDuration(1)).toBe('1s');
  });
});
