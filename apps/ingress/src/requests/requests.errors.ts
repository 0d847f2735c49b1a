import { assertUnreachable, DomainError } from '@llm/errors';

export type RequestErrorCode = 'INVALID_REQUEST' | 'IDEMPOTENCY_KEY_REUSED' | 'REQUEST_NOT_FOUND' | 'NOT_ACCEPTED' | 'REQUEST_TIMEOUT';

export class RequestError extends DomainError<RequestErrorCode> {
  readonly kind = 'request';
}

export function requestErrorStatus(error: DomainError): number | undefined {
  if (!(error instanceof RequestError)) return undefined;
  switch (error.code) {
    case 'INVALID_REQUEST':
      return 400;
    case 'IDEMPOTENCY_KEY_REUSED':
      return 409;
    case 'REQUEST_NOT_FOUND':
      return 404;
    case 'NOT_ACCEPTED':
      return 503;
    case 'REQUEST_TIMEOUT':
      return 504;
    default:
      return assertUnreachable(error.code);
  }
}

/** HTTP status for a request that finished without an answer, from its terminal error code. */
export function terminalErrorStatus(code: string): number {
  switch (code) {
    case 'MODEL_NOT_FOUND':
      return 404;
    case 'PROVIDER_RATE_LIMITED':
    case 'RATE_LIMITED':
    case 'BUDGET_EXCEEDED':
      return 429;
    case 'PROVIDER_REJECTED':
    case 'INVALID_REQUEST':
      return 400;
    case 'PROVIDER_TIMEOUT':
      return 504;
    default:
      return 502;
  }
}
