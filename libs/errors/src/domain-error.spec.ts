import { DomainError, errorCodeOf, isRetryable } from './domain-error';

class StoreError extends DomainError<'STORE_DOWN' | 'BAD_ROW'> {
  readonly kind = 'store';
}
class UseCaseError extends DomainError<'FAILED'> {
  readonly kind = 'use-case';
}

describe('DomainError', () => {
  it('is not retryable by default', () => {
    expect(isRetryable(new StoreError('BAD_ROW', 'bad'))).toBe(false);
  });

  it('keeps retryable and code when wrapped in a plain error', () => {
    const inner = new StoreError('STORE_DOWN', 'down', true);
    const wrapped = new Error('while saving', { cause: inner });
    expect(isRetryable(wrapped)).toBe(true);
    expect(errorCodeOf(wrapped)).toBe('STORE_DOWN');
  });

  it('lets the outermost domain error decide', () => {
    const inner = new StoreError('STORE_DOWN', 'down', true);
    const outer = new UseCaseError('FAILED', 'gave up', false, { cause: inner });
    expect(isRetryable(outer)).toBe(false);
    expect(errorCodeOf(outer)).toBe('FAILED');
  });

  it('treats network failures as transient and bugs as permanent', () => {
    expect(isRetryable(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRetryable(new TypeError('x is undefined'))).toBe(false);
    expect(errorCodeOf(new TypeError('x'))).toBe('INTERNAL');
  });

  it('treats Redis connection failures as transient', () => {
    expect(isRetryable(new Error('Connection is closed.'))).toBe(true);
    expect(isRetryable(Object.assign(new Error('Reached the max retries per request limit (which is 2).'), { name: 'MaxRetriesPerRequestError' }))).toBe(true);
    expect(isRetryable(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(true);
    expect(isRetryable(new Error('LOADING Redis is loading the dataset in memory'))).toBe(true);
    expect(isRetryable(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
  });

  it('survives a cause cycle', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(isRetryable(a)).toBe(false);
  });
});
