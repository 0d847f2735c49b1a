import { assertUnreachable, DomainError } from '@llm/errors';
import type { HttpStatusMapper } from '@llm/service-runtime';

export type SimulationErrorCode =
  | 'MODEL_NOT_FOUND'
  | 'DEPLOYMENT_NOT_FOUND'
  | 'ROUTE_NOT_FOUND'
  /** A file or batch id the Files / Batch API does not know. */
  | 'RESOURCE_NOT_FOUND'
  | 'INVALID_REQUEST'
  | 'UNAUTHORIZED'
  | 'OVERLOADED'
  | 'INJECTED_RATE_LIMIT'
  | 'INJECTED_SERVER_ERROR'
  | 'INJECTED_UNAUTHORIZED'
  | 'INJECTED_FORBIDDEN'
  | 'INJECTED_NOT_FOUND';

export class SimulationError extends DomainError<SimulationErrorCode> {
  readonly kind = 'simulation';
  /** The request parameter at fault, as vLLM and OpenAI name it in `error.param`. */
  param?: string;

  static invalid(message: string, param?: string): SimulationError {
    return Object.assign(new SimulationError('INVALID_REQUEST', message), { param });
  }
}

export function statusOfSimulationError(code: SimulationErrorCode): number {
  switch (code) {
    case 'MODEL_NOT_FOUND':
    case 'DEPLOYMENT_NOT_FOUND':
    case 'ROUTE_NOT_FOUND':
    case 'RESOURCE_NOT_FOUND':
    case 'INJECTED_NOT_FOUND':
      return 404;
    case 'INVALID_REQUEST':
      return 400;
    case 'UNAUTHORIZED':
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
      return assertUnreachable(code);
  }
}

export const simulationHttpErrorMapper: HttpStatusMapper = (error) => (error instanceof SimulationError ? statusOfSimulationError(error.code) : undefined);
