import type { ErrorCode } from '@llm/contracts';
import { DomainError } from '@llm/errors';

/** Every code is in the shared table (ERROR_CODES), which also decides its HTTP status. */
export type RequestErrorCode = Extract<
  ErrorCode,
  'INVALID_REQUEST' | 'IDEMPOTENCY_KEY_REUSED' | 'REQUEST_ID_REUSED' | 'REQUEST_NOT_FOUND' | 'NOT_ACCEPTED' | 'REQUEST_TIMEOUT' | 'EXPIRED' | 'UNAVAILABLE'
>;

export class RequestError extends DomainError<RequestErrorCode> {
  readonly kind = 'request';
}
