import { llmRequest } from '@llm/testing';
import { expiredResult, isExpired } from './deadline';

describe('request deadlines', () => {
  const now = new Date('2026-11-23T12:00:00.000Z');

  it('expires a request at or after its deadline, never one without a deadline', () => {
    expect(isExpired(llmRequest({ deadline_at: '2026-11-23T11:59:59.000Z' }), now)).toBe(true);
    expect(isExpired(llmRequest({ deadline_at: '2026-11-23T12:00:00.000Z' }), now)).toBe(true);
    expect(isExpired(llmRequest({ deadline_at: '2026-11-23T12:00:01.000Z' }), now)).toBe(false);
    expect(isExpired(llmRequest(), now)).toBe(false);
  });

  it('finishes an expired request as EXPIRED at no cost', () => {
    const request = llmRequest({ deadline_at: '2026-11-23T11:59:00.000Z' });
    expect(expiredResult(request, 2, now)).toMatchObject({
      request_id: request.request_id,
      status: 'expired',
      source: 'none',
      error: { code: 'EXPIRED', retryable: false },
      cost_micros: 0,
      attempt: 2,
    });
  });
});
