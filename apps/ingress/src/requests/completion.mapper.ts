import { describeErrorCode, type LlmResultV1 } from '@llm/contracts';
import { errorBody, type HttpErrorBody } from '@llm/service-runtime';
import type { RequestStatusRecord } from './request-status.repository';

/** HTTP status and body for a finished request: the OpenAI completion, or an error with a stable code. */
export function toHttpOutcome(result: LlmResultV1): { status: number; body: unknown; retryAfterS?: number } {
  if (result.status === 'succeeded' && result.response) return { status: 200, body: result.response };
  const error = result.error ?? { code: 'INTERNAL', message: 'request finished without an answer', retryable: false };
  const { code, status } = terminalError(error.code);
  const body: HttpErrorBody = errorBody(code, error.message, error.retryable, result.request_id);
  return { status, body, retryAfterS: error.retry_after_s };
}

/**
 * Code and HTTP status of a request that finished without an answer. Every code of the shared table has its
 * status there; a code outside the table (a stage's bug) is an internal error, never a made-up status.
 */
export function terminalError(code: string): { code: ReturnType<typeof describeErrorCode>['code']; status: number } {
  const described = describeErrorCode(code);
  return { code: described.code, status: described.status };
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
