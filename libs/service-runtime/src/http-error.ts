import { describeErrorCode, type ErrorCode } from '@llm/contracts';
import { DomainError } from '@llm/errors';

/**
 * The JSON error body every HTTP endpoint returns. It follows OpenAI's shape, so OpenAI clients that compare
 * `error.code` and `error.type` keep working; our finer code travels in `platform_code`.
 */
export interface HttpErrorBody {
  error: {
    message: string;
    type: string;
    code: string;
    param: string | null;
    platform_code: ErrorCode;
    retryable: boolean;
    request_id?: string;
  };
}

/**
 * Maps a module's domain error code to an HTTP status, for codes outside the shared table (ERROR_CODES).
 * Codes in the table always get the table's status.
 */
export type HttpStatusMapper = (error: DomainError) => number | undefined;

export function errorBody(code: ErrorCode, message: string, retryable: boolean, requestId?: string): HttpErrorBody {
  const described = describeErrorCode(code);
  return {
    error: {
      message,
      type: described.type,
      code: described.openai,
      param: null,
      platform_code: described.code,
      retryable,
      ...(requestId ? { request_id: requestId } : {}),
    },
  };
}

/** The table's code for a status, for errors that carry no code of their own (framework errors, other modules' codes). */
export function errorCodeForStatus(status: number): ErrorCode {
  if (status === 401) return 'INVALID_API_KEY';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 405) return 'METHOD_NOT_ALLOWED';
  if (status === 409) return 'CONFLICT';
  if (status === 413) return 'BODY_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_ENCODING';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 503) return 'UNAVAILABLE';
  if (status === 504) return 'REQUEST_TIMEOUT';
  if (status >= 500) return 'INTERNAL';
  return 'INVALID_REQUEST';
}
