import type { ErrorCode } from '@llm/contracts';
import { DomainError } from '@llm/errors';

/** Every code is in the shared table (ERROR_CODES), which decides its HTTP status. */
export type AdminErrorCode = Extract<ErrorCode, 'ADMIN_UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'INVALID_REQUEST'>;

export class AdminError extends DomainError<AdminErrorCode> {
  readonly kind = 'admin';
}
