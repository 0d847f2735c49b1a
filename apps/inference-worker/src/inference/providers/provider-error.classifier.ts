import type { RouteTarget } from '@llm/contracts';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { ZodError } from 'zod';
import { InferenceError } from '../inference.errors';

/** Backoff for a 429 that named no Retry-After: 1 to 4 s, jittered so rate-limited workers do not retry in step. */
function rateLimitBackoffS(random: () => number = Math.random): number {
  return 1 + Math.floor(random() * 4);
}

/** Maps anything a provider call threw to the domain error that decides fallback, retry and what the caller sees. */
export function classifyProviderError(err: unknown, target: RouteTarget, random: () => number = Math.random): InferenceError {
  const where = `${target.provider}/${target.deployment}`;
  if (err instanceof InferenceError) return err;
  if (err instanceof ZodError || err instanceof SyntaxError) {
    return new InferenceError('PROVIDER_INVALID_RESPONSE', `${where} sent a response that is not a chat completion`, true, { cause: err });
  }
  if (err instanceof APIConnectionTimeoutError) return new InferenceError('PROVIDER_TIMEOUT', `${where} timed out`, true, { cause: err });
  if (err instanceof APIConnectionError) return new InferenceError('PROVIDER_UNAVAILABLE', `${where} is unreachable`, true, { cause: err });
  if (err instanceof APIError) return err.status === undefined ? streamErrorEvent(err, where, random) : httpStatus(err, err.status, where, random);
  return new InferenceError('PROVIDER_UNAVAILABLE', `${where} failed: ${(err as Error)?.message ?? 'unknown error'}`, true, { cause: err });
}

function httpStatus(err: APIError, status: number, where: string, random: () => number): InferenceError {
  if (status === 429) return rateLimited(err, where, retryAfterOf(err) ?? rateLimitBackoffS(random));
  // Our key, our permissions or our deployment name: the caller did nothing wrong, an operator must act.
  if (status === 401 || status === 403 || status === 404)
    return new InferenceError('PROVIDER_MISCONFIGURED', `${where} refused our configuration with ${status}`, false, { cause: err });
  if (status >= 500 || status === 408 || status === 409) return new InferenceError('PROVIDER_UNAVAILABLE', `${where} failed with ${status}`, true, { cause: err });
  return new InferenceError('PROVIDER_REJECTED', `${where} rejected the request with ${status}`, false, { cause: err });
}

/** An `error` event inside a stream: no HTTP status, only the error object's type and code. */
function streamErrorEvent(err: APIError, where: string, random: () => number): InferenceError {
  const kind = `${err.type ?? ''} ${err.code ?? ''}`;
  if (/rate_limit|tokens|requests/.test(kind)) return rateLimited(err, where, rateLimitBackoffS(random));
  if (/invalid_request|context_length/.test(kind)) return new InferenceError('PROVIDER_REJECTED', `${where} rejected the request inside the stream`, false, { cause: err });
  if (/authentication|permission|invalid_api_key|not_found/.test(kind))
    return new InferenceError('PROVIDER_MISCONFIGURED', `${where} refused our configuration inside the stream`, false, { cause: err });
  return new InferenceError('PROVIDER_UNAVAILABLE', `${where} failed inside the stream`, true, { cause: err });
}

function rateLimited(err: APIError, where: string, retryAfterS: number): InferenceError {
  return new InferenceError('PROVIDER_RATE_LIMITED', `${where} rate-limited the call`, true, { cause: err, retryAfterS });
}

/** Retry-After in seconds when the provider sent a positive one; absent, empty or 0 means "we decide". */
function retryAfterOf(err: APIError): number | undefined {
  const raw = err.headers?.get?.('retry-after');
  if (raw === null || raw === undefined || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : undefined;
}
