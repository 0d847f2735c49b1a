import type { UsageV1 } from '@llm/contracts';
import { toUsageRow } from './usage-row';

describe('toUsageRow', () => {
  const usage: UsageV1 = {
    request_id: '7c2b9f3e-1d4a-4c1b-9a57-2a1f0c9e8d11',
    call_id: 'c2',
    attempt: 1,
    tenant_id: 'acme',
    model: 'small',
    provider: 'sim',
    source: 'model',
    status: 'succeeded',
    tokens_in: 10,
    tokens_cached_in: 0,
    tokens_out: 5,
    tokens_estimated: false,
    cost_micros: 12,
    latency_ms: 3,
    occurred_at: '2026-12-03T10:00:00.000Z',
  };

  it('keeps the fallback step, and null when the producer did not say', () => {
    expect(toUsageRow({ ...usage, fallback_step: 'cheaper-model' }).fallbackStep).toBe('cheaper-model');
    expect(toUsageRow(usage).fallbackStep).toBeNull();
  });

  it('counts a call on any step but primary as a fallback when the flag is absent, and keeps an explicit flag', () => {
    expect([toUsageRow({ ...usage, fallback_step: 'other-deployment' }).fallback, toUsageRow({ ...usage, fallback_step: 'primary' }).fallback, toUsageRow(usage).fallback]).toEqual(
      [true, false, false],
    );
    expect(toUsageRow({ ...usage, fallback: false, fallback_step: 'escalation' }).fallback).toBe(false);
  });
});
