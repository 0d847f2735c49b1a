import { ERROR_CODES } from '@llm/contracts';
import { llmResult } from '@llm/testing';
import { toHttpOutcome, toStatusView } from './completion.mapper';

describe('completion mapper', () => {
  it('gives every code of the shared table its own status, and an unknown code an internal error', () => {
    const outcome = (code: string) => toHttpOutcome(llmResult({ status: 'failed', response: undefined, error: { code, message: 'm', retryable: false } }));
    for (const [code, entry] of Object.entries(ERROR_CODES)) expect(outcome(code)).toMatchObject({ status: entry.status, body: { error: { platform_code: code } } });
    expect(outcome('SOMETHING_NEW')).toMatchObject({ status: 500, body: { error: { platform_code: 'INTERNAL' } } });
  });

  it('answers a failed request in the OpenAI shape with our code beside it', () => {
    const result = llmResult({ status: 'rejected', response: undefined, error: { code: 'BUDGET_EXCEEDED', message: 'daily budget spent', retryable: true, retry_after_s: 60 } });
    expect(toHttpOutcome(result)).toEqual({
      status: 429,
      retryAfterS: 60,
      body: {
        error: {
          message: 'daily budget spent',
          type: 'insufficient_quota',
          code: 'insufficient_quota',
          param: null,
          platform_code: 'BUDGET_EXCEEDED',
          retryable: true,
          request_id: result.request_id,
        },
      },
    });
  });

  it('shows a request that passed its deadline without an answer as expired', () => {
    const record = { requestId: 'r1', status: 'accepted' as const, mode: 'async' as const, createdAt: '2026-11-23T10:00:00.000Z', deadlineAt: '2026-11-23T10:02:00.000Z' };
    expect(toStatusView(record, Date.parse('2026-11-23T10:01:59.000Z')).status).toBe('accepted');
    expect(toStatusView(record, Date.parse('2026-11-23T10:02:00.000Z'))).toMatchObject({ status: 'expired', error: { code: 'EXPIRED' } });
  });
});
