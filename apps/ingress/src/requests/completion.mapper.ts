import type { LlmResultV1 } from '@llm/contracts';
import { errorBody, type HttpErrorBody } from '@llm/service-runtime';
import type { RequestStatusRecord } from './request-status.repository';
import { terminalErrorStatus } from './requests.errors';

/** HTTP status and body for a finished request: the OpenAI completion, or an error with a stable code. */
export function toHttpOutcome(result: LlmResultV1): { status: number; body: unknown; retryAfterS?: number } {
  if (result.status === 'succeeded' && result.response) return { status: 200, body: result.response };
  const error = result.error ?? { code: 'INTERNAL', message: 'request finished without an answer', retryable: false };
  const status = terminalErrorStatus(error.code);
  const body: HttpErrorBody = errorBody(error.code, error.message, status, error.retryable, result.request_id);
  return { status, body, retryAfterS: error.retry_after_s };
}

export function toStatusView(record: RequestStatusRecord) {
  const result = record.result;
  return {
    request_id: record.requestId,
    status: record.status,
    mode: record.mode,
    created_at: record.createdAt,
    ...(result?.response ? { response: result.response } : {}),
    ...(result?.error ? { error: result.error } : {}),
    ...(result ? { source: result.source, model: result.model, cost_micros: result.cost_micros, latency_ms: result.latency_ms, completed_at: result.completed_at } : {}),
  };
}
