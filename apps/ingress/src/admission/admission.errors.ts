import type { ErrorCode } from '@llm/contracts';
import { DomainError } from '@llm/errors';

/** Refusals of admission control; every code is in the shared table (ERROR_CODES), which decides its status. */
export type AdmissionErrorCode = Extract<
  ErrorCode,
  'RATE_LIMITED' | 'TOKEN_LIMITED' | 'CONCURRENCY_LIMITED' | 'OVERLOADED' | 'MODEL_NOT_ALLOWED' | 'MODEL_NOT_FOUND' | 'PROMPT_INJECTION' | 'BUDGET_EXCEEDED' | 'UNAVAILABLE'
>;

export class AdmissionError extends DomainError<AdmissionErrorCode> {
  readonly kind = 'admission';
}
