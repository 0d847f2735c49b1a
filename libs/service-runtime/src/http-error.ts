import { DomainError } from '@llm/errors';

/** The JSON error body every HTTP endpoint returns (OpenAI-compatible shape, plus a stable code). */
export interface HttpErrorBody {
  error: { code: string; message: string; type: string; retryable: boolean; request_id?: string };
}

/**
 * Maps a module's domain error code to an HTTP status. Each module that serves HTTP supplies one, written as
 * an exhaustive switch over its code union.
 */
export type HttpStatusMapper = (error: DomainError) => number | undefined;

export function errorBody(code: string, message: string, status: number, retryable: boolean, requestId?: string): HttpErrorBody {
  return { error: { code, message, type: typeForStatus(status), retryable, ...(requestId ? { request_id: requestId } : {}) } };
}

function typeForStatus(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 409) return 'conflict_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}
