import type { ErrorCode } from '@llm/contracts';
import { DomainError } from '@llm/errors';

/** Every code is in the shared table (ERROR_CODES), which also decides its HTTP status. */
export type AuthErrorCode = Extract<ErrorCode, 'MISSING_API_KEY' | 'INVALID_API_KEY' | 'TENANT_SUSPENDED' | 'UNKNOWN_TENANT' | 'UNAVAILABLE'>;

export class AuthError extends DomainError<AuthErrorCode> {
  readonly kind = 'auth';
}
