import { assertUnreachable } from '@llm/errors';
import { statusOfSimulationError, type SimulationError } from '../simulation.errors';
import type { ErrorShape, SimDialect } from './sim-dialects';

export interface RenderedError {
  status: number;
  body: unknown;
}

/** One refusal in the shape the host of this dialect sends it, so a client's error handling meets the real thing. */
export function renderSimError(dialect: SimDialect, err: SimulationError): RenderedError {
  // Google answers a bad key with 400 INVALID_ARGUMENT (reason API_KEY_INVALID), not 401.
  const status = err.code === 'INVALID_REQUEST' ? dialect.validationStatus : err.code === 'UNAUTHORIZED' && dialect.errors === 'gemini' ? 400 : statusOfSimulationError(err.code);
  return { status, body: bodyOf(dialect.errors, status, err) };
}

function bodyOf(shape: ErrorShape, status: number, err: SimulationError): unknown {
  const message = err.message;
  const param = err.param ?? null;
  switch (shape) {
    case 'vllm':
      // vLLM's auth middleware answers with a bare string; everything else is ErrorResponse (ErrorInfo).
      if (status === 401) return { error: 'Unauthorized' };
      return { error: { message, type: VLLM_TYPES[status] ?? 'InternalServerError', param, code: status } };
    case 'openai':
      return { error: { message, type: openAiType(status), param, code: openAiCode(err) } };
    case 'llamacpp':
      return { error: { code: status, message, type: LLAMACPP_TYPES[status] ?? 'server_error' } };
    case 'tgi':
      return { error: message, error_type: TGI_TYPES[status] ?? 'generation' };
    case 'azure':
      if (err.code === 'DEPLOYMENT_NOT_FOUND') return { error: { code: 'DeploymentNotFound', message } };
      if (status === 401 || status === 404 || status === 429) return { error: { code: String(status), message } };
      return { error: { message, type: openAiType(status), param, code: openAiCode(err) } };
    case 'anthropic':
      return { type: 'error', error: { type: ANTHROPIC_TYPES[status] ?? 'api_error', message } };
    case 'gemini':
      // Google's OpenAI endpoint wraps its error in a one-element list.
      return [
        {
          error: {
            code: status,
            message,
            status: GOOGLE_STATUS[status] ?? 'INTERNAL',
            ...(err.code === 'UNAUTHORIZED' ? { details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }] } : {}),
          },
        },
      ];
    case 'openrouter':
      return { error: { code: status, message } };
    default:
      return assertUnreachable(shape);
  }
}

const VLLM_TYPES: Record<number, string> = { 400: 'BadRequestError', 404: 'NotFoundError', 403: 'PermissionDeniedError', 429: 'RateLimitError', 500: 'InternalServerError' };
const LLAMACPP_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'unavailable_error',
  500: 'server_error',
};
const TGI_TYPES: Record<number, string> = { 401: 'authentication', 404: 'not_found', 422: 'validation', 429: 'overloaded', 500: 'generation' };
const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
};
const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
};

function openAiType(status: number): string {
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function openAiCode(err: SimulationError): string | null {
  switch (err.code) {
    case 'UNAUTHORIZED':
    case 'INJECTED_UNAUTHORIZED':
      return 'invalid_api_key';
    case 'MODEL_NOT_FOUND':
    case 'DEPLOYMENT_NOT_FOUND':
      return 'model_not_found';
    case 'OVERLOADED':
    case 'INJECTED_RATE_LIMIT':
      return 'rate_limit_exceeded';
    case 'INVALID_REQUEST':
      return err.param ? 'invalid_value' : null;
    case 'ROUTE_NOT_FOUND':
    case 'RESOURCE_NOT_FOUND':
    case 'INJECTED_NOT_FOUND':
    case 'INJECTED_FORBIDDEN':
    case 'INJECTED_SERVER_ERROR':
      return null;
    default:
      return assertUnreachable(err.code);
  }
}
