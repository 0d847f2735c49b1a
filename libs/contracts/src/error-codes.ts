/**
 * Every error code a caller can see, over HTTP or in a result event, with its HTTP status and the OpenAI
 * `type`/`code` pair that OpenAI clients compare. Our finer code travels beside them (`platform_code`), so a
 * client written for OpenAI keeps working and an operator still sees exactly what happened.
 */
export const ERROR_CODES = {
  INVALID_REQUEST: { status: 400, type: 'invalid_request_error', openai: 'invalid_request_error' },
  INVALID_JSON: { status: 400, type: 'invalid_request_error', openai: 'invalid_json' },
  BODY_TOO_LARGE: { status: 413, type: 'invalid_request_error', openai: 'request_too_large' },
  UNSUPPORTED_ENCODING: { status: 415, type: 'invalid_request_error', openai: 'unsupported_encoding' },
  CONTEXT_LENGTH_EXCEEDED: { status: 400, type: 'invalid_request_error', openai: 'context_length_exceeded' },
  MISSING_API_KEY: { status: 401, type: 'invalid_request_error', openai: 'invalid_api_key' },
  INVALID_API_KEY: { status: 401, type: 'invalid_request_error', openai: 'invalid_api_key' },
  SIGNATURE_INVALID: { status: 401, type: 'invalid_request_error', openai: 'invalid_signature' },
  ADMIN_UNAUTHORIZED: { status: 401, type: 'invalid_request_error', openai: 'invalid_api_key' },
  TENANT_SUSPENDED: { status: 403, type: 'permission_error', openai: 'account_deactivated' },
  FORBIDDEN: { status: 403, type: 'permission_error', openai: 'permission_denied' },
  PROMPT_INJECTION: { status: 400, type: 'invalid_request_error', openai: 'prompt_injection' },
  MODEL_NOT_ALLOWED: { status: 403, type: 'permission_error', openai: 'model_not_allowed' },
  MODEL_NOT_FOUND: { status: 404, type: 'invalid_request_error', openai: 'model_not_found' },
  REQUEST_NOT_FOUND: { status: 404, type: 'invalid_request_error', openai: 'not_found' },
  UNKNOWN_TENANT: { status: 404, type: 'invalid_request_error', openai: 'not_found' },
  NOT_FOUND: { status: 404, type: 'invalid_request_error', openai: 'not_found' },
  COLLECTION_NOT_FOUND: { status: 404, type: 'invalid_request_error', openai: 'not_found' },
  DOCUMENT_NOT_FOUND: { status: 404, type: 'invalid_request_error', openai: 'not_found' },
  METHOD_NOT_ALLOWED: { status: 405, type: 'invalid_request_error', openai: 'method_not_allowed' },
  CONFLICT: { status: 409, type: 'invalid_request_error', openai: 'conflict' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, type: 'invalid_request_error', openai: 'idempotency_key_reused' },
  REQUEST_ID_REUSED: { status: 409, type: 'invalid_request_error', openai: 'request_id_reused' },
  RATE_LIMITED: { status: 429, type: 'requests', openai: 'rate_limit_exceeded' },
  TOKEN_LIMITED: { status: 429, type: 'tokens', openai: 'rate_limit_exceeded' },
  BUDGET_EXCEEDED: { status: 429, type: 'insufficient_quota', openai: 'insufficient_quota' },
  CONCURRENCY_LIMITED: { status: 429, type: 'requests', openai: 'rate_limit_exceeded' },
  OVERLOADED: { status: 429, type: 'requests', openai: 'rate_limit_exceeded' },
  PROVIDER_RATE_LIMITED: { status: 429, type: 'requests', openai: 'rate_limit_exceeded' },
  CANCELLED: { status: 499, type: 'invalid_request_error', openai: 'cancelled' },
  INTERNAL: { status: 500, type: 'server_error', openai: 'server_error' },
  PROVIDER_UNAVAILABLE: { status: 502, type: 'server_error', openai: 'server_error' },
  PROVIDER_MISCONFIGURED: { status: 502, type: 'server_error', openai: 'server_error' },
  PROVIDER_INVALID_RESPONSE: { status: 502, type: 'server_error', openai: 'server_error' },
  PROVIDER_REJECTED: { status: 400, type: 'invalid_request_error', openai: 'invalid_request_error' },
  ALL_TARGETS_FAILED: { status: 502, type: 'server_error', openai: 'server_error' },
  STRUCTURED_OUTPUT_INVALID: { status: 502, type: 'server_error', openai: 'invalid_response_format' },
  NOT_ACCEPTED: { status: 503, type: 'server_error', openai: 'service_unavailable' },
  UNAVAILABLE: { status: 503, type: 'server_error', openai: 'service_unavailable' },
  MODELS_UNAVAILABLE: { status: 503, type: 'server_error', openai: 'service_unavailable' },
  PROVIDER_TIMEOUT: { status: 504, type: 'server_error', openai: 'timeout' },
  REQUEST_TIMEOUT: { status: 504, type: 'server_error', openai: 'timeout' },
  EXPIRED: { status: 504, type: 'server_error', openai: 'timeout' },
} as const satisfies Record<string, { status: number; type: string; openai: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/** HTTP status, OpenAI type and OpenAI code of any code; an unknown code is reported as an internal error. */
export function describeErrorCode(code: string): { code: ErrorCode; status: number; type: string; openai: string } {
  const known: ErrorCode = isErrorCode(code) ? code : 'INTERNAL';
  return { code: known, ...ERROR_CODES[known] };
}
