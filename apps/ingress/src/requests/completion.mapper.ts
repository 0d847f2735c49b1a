import { describeErrorCode, type LlmResultV1 } from '@llm/contracts';
import { errorBody, type HttpErrorBody } from '@llm/service-runtime';
import type { RequestStatusRecord } from './request-status.repository';

/** HTTP status and body for a finished request: the OpenAI completion, or an error with a stable code. */
export function toHttpOutcome(result: LlmResultV1): { status: number; body: unknown; retryAfterS?: number } {
  if (result.status === 'succeeded' && result.response) return { status: 200, body: result.response };
  const error = result.error ?? { code: 'INTERNAL', message: 'request finished without an answer', retryable: false };
  // A code outside the shared table (a stage's bug) is reported as INTERNAL, never with a made-up status.
  const { code, status } = describeErrorCode(error.code);
  const body: HttpErrorBody = errorBody(code, error.message, error.retryable, result.request_id);
  return { status, body, retryAfterS: error.retry_after_s };
}

export function toStatusView(record: RequestStatusRecord, now = Date.now()) {
  const result = record.result;
  const expired = !result && record.status === 'accepted' && record.deadlineAt !== undefined && Date.parse(record.deadlineAt) <= now;
  return {
    request_id: record.requestId,
    status: expired ? 'expired' : record.status,
    mode: record.mode,
    created_at: record.createdAt,
    ...(record.deadlineAt ? { deadline_at: record.deadlineAt } : {}),
    ...(result?.response ? { response: result.response } : {}),
    ...(result?.error ? { error: result.error } : {}),
    ...(expired ? { error: { code: 'EXPIRED', message: 'the request passed its deadline without an answer', retryable: false } } : {}),
    ...(result ? { source: result.source, model: result.model, cost_micros: result.cost_micros, latency_ms: result.latency_ms, completed_at: result.completed_at } : {}),
  };
}
