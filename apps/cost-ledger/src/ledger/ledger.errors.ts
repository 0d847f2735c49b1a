import { assertUnreachable, DomainError } from '@llm/errors';
import type { HttpStatusMapper } from '@llm/service-runtime';

export type LedgerErrorCode = 'UNKNOWN_TENANT' | 'LEDGER_UNAVAILABLE' | 'INVALID_QUERY';

export class LedgerError extends DomainError<LedgerErrorCode> {
  readonly kind = 'ledger';
}

export const ledgerHttpErrorMapper: HttpStatusMapper = (error) => {
  if (!(error instanceof LedgerError)) return undefined;
  switch (error.code) {
    case 'UNKNOWN_TENANT':
      return 404;
    case 'INVALID_QUERY':
      return 400;
    case 'LEDGER_UNAVAILABLE':
      return 503;
    default:
      return assertUnreachable(error.code);
  }
};
