import { DomainError } from '@llm/errors';

export type InferenceErrorCode =
  | 'PROVIDER_RATE_LIMITED'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_TIMEOUT'
  | 'PROVIDER_REJECTED'
  | 'UNKNOWN_PROVIDER'
  | 'ALL_TARGETS_FAILED';

export class InferenceError extends DomainError<InferenceErrorCode> {
  readonly kind = 'inference';
}
