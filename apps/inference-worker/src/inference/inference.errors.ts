import { DomainError } from '@llm/errors';

export type InferenceErrorCode =
  | 'PROVIDER_RATE_LIMITED'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_TIMEOUT'
  | 'PROVIDER_REJECTED'
  | 'PROVIDER_MISCONFIGURED'
  | 'PROVIDER_INVALID_RESPONSE'
  | 'UNKNOWN_PROVIDER'
  | 'ALL_TARGETS_FAILED'
  | 'REQUEST_IN_PROGRESS'
  | 'CANCELLED';

export class InferenceError extends DomainError<InferenceErrorCode> {
  readonly kind = 'inference';

  /**
   * Whether the next target may be tried. Transient failures may; so may our own misconfiguration of one
   * provider (another provider may be fine), which is still not worth redelivering the request for.
   */
  get fallsBack(): boolean {
    return this.retryable || this.code === 'PROVIDER_MISCONFIGURED' || this.code === 'UNKNOWN_PROVIDER';
  }
}
