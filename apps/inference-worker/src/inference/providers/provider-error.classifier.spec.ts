import type { RouteTarget } from '@llm/contracts';
import { APIError } from 'openai';
import { z } from 'zod';
import { classifyProviderError } from './provider-error.classifier';

const target: RouteTarget = { model: 'm', provider: 'sim', deployment: 'm', price_in_micros_per_mtok: 1, price_out_micros_per_mtok: 1, timeout_ms: 1_000 };
const status = (code: number, headers: Record<string, string> = {}) => APIError.generate(code, { error: { message: 'x' } }, 'x', new Headers(headers));
const streamEvent = (type: string) => new APIError(undefined, { message: 'inside the stream', type }, undefined, new Headers());

describe('classifyProviderError', () => {
  it('treats 401/403/404 as our misconfiguration, not a bad request of the caller', () => {
    for (const code of [401, 403, 404]) {
      expect(classifyProviderError(status(code), target)).toMatchObject({ code: 'PROVIDER_MISCONFIGURED', fallsBack: true, retryable: false });
    }
    expect(classifyProviderError(status(400), target)).toMatchObject({ code: 'PROVIDER_REJECTED', fallsBack: false });
  });

  it('backs off a 429 without Retry-After instead of retrying at once, and keeps a real Retry-After', () => {
    const noHeader = classifyProviderError(status(429), target, () => 0);
    expect(noHeader).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryable: true });
    expect(noHeader.retryAfterS).toBeGreaterThanOrEqual(1);
    expect(classifyProviderError(status(429, { 'retry-after': '0' }), target, () => 0.99).retryAfterS).toBe(4);
    expect(classifyProviderError(status(429, { 'retry-after': '7' }), target).retryAfterS).toBe(7);
  });

  it('classifies error events inside a stream by their type', () => {
    expect(classifyProviderError(streamEvent('rate_limit_exceeded'), target)).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryable: true });
    expect(classifyProviderError(streamEvent('server_error'), target)).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true });
    expect(classifyProviderError(streamEvent('invalid_request_error'), target)).toMatchObject({ code: 'PROVIDER_REJECTED', retryable: false });
  });

  it('reports a response that breaks the contract as invalid and retryable on the next target', () => {
    const zod = z.object({ choices: z.array(z.unknown()) }).safeParse({ choices: 'x' }).error;
    expect(classifyProviderError(zod, target)).toMatchObject({ code: 'PROVIDER_INVALID_RESPONSE', retryable: true });
    expect(classifyProviderError(new SyntaxError('malformed server-sent event JSON'), target)).toMatchObject({ code: 'PROVIDER_INVALID_RESPONSE' });
  });
});
