import { Headers } from '@llm/contracts';
import { RETRY_SIGNATURE_HEADER, signRetry, verifiedRetry } from './retry-headers';

describe('retry headers', () => {
  const value = Buffer.from('{"request_id":"r1"}');

  it('trusts attempt and retry time the transport signed', () => {
    const headers = signRetry('secret', 'llm.requests.v1', value, { attempt: 3, retryAt: 1234 });
    expect(verifiedRetry('secret', 'llm.requests.v1', value, headers)).toEqual({ attempt: 3, retryAt: 1234 });
  });

  it('ignores x-attempt and x-retry-at from an upstream producer', () => {
    const forged = { [Headers.attempt]: '99', [Headers.retryAt]: String(Date.now() + 86_400_000) };
    expect(verifiedRetry('secret', 'llm.requests.v1', value, forged)).toEqual({ attempt: 1, retryAt: 0 });
  });

  it.each([
    ['another secret', 'other', 'llm.requests.v1', value, {}],
    ['another topic', 'secret', 'llm.route.v1', value, {}],
    ['another message', 'secret', 'llm.requests.v1', Buffer.from('{}'), {}],
    ['an edited attempt', 'secret', 'llm.requests.v1', value, { [Headers.attempt]: '1' }],
    ['an edited retry time', 'secret', 'llm.requests.v1', value, { [Headers.retryAt]: '1' }],
  ])('rejects a signature with %s', (_what, secret, topic, body, edit) => {
    const headers = { ...signRetry('secret', 'llm.requests.v1', value, { attempt: 3, retryAt: 1234 }), ...edit };
    expect(verifiedRetry(secret, topic, body, headers)).toEqual({ attempt: 1, retryAt: 0 });
  });

  it('rejects a malformed signature', () => {
    const headers = { ...signRetry('secret', 't', value, { attempt: 2, retryAt: 1 }), [RETRY_SIGNATURE_HEADER]: 'zz' };
    expect(verifiedRetry('secret', 't', value, headers).attempt).toBe(1);
  });
});
