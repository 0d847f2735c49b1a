import { DomainError, isRetryable } from './domain-error';
import { unavailableOnFailure } from './unavailable';

class ProbeError extends DomainError<'PROBE'> {
  readonly kind = 'probe';
}

describe('unavailableOnFailure', () => {
  it('reports a store failure as a retryable UNAVAILABLE naming the store, and lets domain errors through', async () => {
    const err = await unavailableOnFailure('the request store', async () => Promise.reject(new Error('Connection is closed.'))).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAVAILABLE', retryAfterS: 1, message: 'the request store is unavailable; retry shortly' });
    expect(isRetryable(err)).toBe(true);
    const own = new ProbeError('PROBE', 'not found');
    await expect(unavailableOnFailure('the request store', async () => Promise.reject(own))).rejects.toBe(own);
    await expect(unavailableOnFailure('the request store', async () => 42)).resolves.toBe(42);
  });
});
