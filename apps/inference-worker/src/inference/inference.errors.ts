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
  /** The deployment's breaker is open: no call was made. */
  | 'CIRCUIT_OPEN'
  /** The deployment's shared limits (concurrency, RPM, TPM, a Retry-After cooldown) left no room in time. */
  | 'DEPLOYMENT_SATURATED'
  /** Every target failed transiently, retries are spent and no cached answer exists: the degradation answer. */
  | 'MODELS_UNAVAILABLE'
  /** json_object / json_schema answers kept failing validation after the retries with feedback. */
  | 'STRUCTURED_OUTPUT_INVALID'
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
