import { assertUnreachable, DomainError } from '@llm/errors';

export type AuthErrorCode = 'MISSING_API_KEY' | 'INVALID_API_KEY' | 'TENANT_SUSPENDED' | 'UNKNOWN_TENANT';

export class AuthError extends DomainError<AuthErrorCode> {
  readonly kind = 'auth';
}

export function authErrorStatus(error: DomainError): number | undefined {
  if (!(error instanceof AuthError)) return undefined;
  switch (error.code) {
    case 'MISSING_API_KEY':
    case 'INVALID_API_KEY':
      return 401;
    case 'TENANT_SUSPENDED':
      return 403;
    case 'UNKNOWN_TENANT':
      return 404;
    default:
      return assertUnreachable(error.code);
  }
}
