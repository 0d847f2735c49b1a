import { assertUnreachable, DomainError } from '@llm/errors';
import type { HttpStatusMapper } from '@llm/service-runtime';

export type SimulationErrorCode =
  'MODEL_NOT_FOUND' | 'INVALID_REQUEST' | 'OVERLOADED' | 'INJECTED_RATE_LIMIT' | 'INJECTED_SERVER_ERROR' | 'INJECTED_UNAUTHORIZED' | 'INJECTED_FORBIDDEN' | 'INJECTED_NOT_FOUND';

export class SimulationError extends DomainError<SimulationErrorCode> {
  readonly kind = 'simulation';
}

export const simulationHttpErrorMapper: HttpStatusMapper = (error) => {
  if (!(error instanceof SimulationError)) return undefined;
  switch (error.code) {
    case 'MODEL_NOT_FOUND':
    case 'INJECTED_NOT_FOUND':
      return 404;
    case 'INVALID_REQUEST':
      return 400;
    case 'INJECTED_UNAUTHORIZED':
      return 401;
    case 'INJECTED_FORBIDDEN':
      return 403;
    case 'OVERLOADED':
    case 'INJECTED_RATE_LIMIT':
      return 429;
    case 'INJECTED_SERVER_ERROR':
      return 500;
    default:
      return assertUnreachable(error.code);
  }
};
