import { DomainError } from './domain-error';

/** A store or service the operation depends on cannot be reached: retryable, the caller tries again shortly. */
export class UnavailableError extends DomainError<'UNAVAILABLE'> {
  readonly kind = 'unavailable';
}

/**
 * Runs an operation against a backing store (Redis, Postgres) and reports its failure as UNAVAILABLE, naming
 * the store; domain errors the operation raised itself pass through unchanged.
 */
export async function unavailableOnFailure<T>(store: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new UnavailableError('UNAVAILABLE', `${store} is unavailable; retry shortly`, true, { cause: err, retryAfterS: 1 });
  }
}
