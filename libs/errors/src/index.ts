export { DomainError, assertUnreachable, errorCodeOf, isDomainError, isRetryable } from './domain-error';
export { UnavailableError, unavailableOnFailure } from './unavailable';
