export { DomainError, assertUnreachable, errorCodeOf, isDomainError, isRetryable } from './domain-error';
