import { assertUnreachable, DomainError } from '@llm/errors';
import type { HttpStatusMapper } from '@llm/service-runtime';

export type EvaluatorErrorCode = 'INVALID_TENANT' | 'INVALID_REQUEST' | 'REPORT_NOT_FOUND';

export class EvaluatorError extends DomainError<EvaluatorErrorCode> {
  readonly kind = 'evaluator';
}

export function evaluatorHttpStatus(code: EvaluatorErrorCode): number {
  switch (code) {
    case 'INVALID_TENANT':
    case 'INVALID_REQUEST':
      return 400;
    case 'REPORT_NOT_FOUND':
      return 404;
    default:
      return assertUnreachable(code);
  }
}

/** Passed to runService's `httpErrorMappers`: statuses for this module's errors, nothing for the others. */
export const evaluatorHttpErrorMapper: HttpStatusMapper = (error) => (error instanceof EvaluatorError ? evaluatorHttpStatus(error.code) : undefined);
