import type { LlmRequestV1, LlmResultV1 } from '@llm/contracts';
import { unansweredResult, type RequestIdentity } from './outcome.builder';

/** Whether the request's deadline (set by ingress) has passed; a request without one never expires. */
export function isExpired(request: Pick<LlmRequestV1, 'deadline_at'>, now = new Date()): boolean {
  if (request.deadline_at === undefined) return false;
  const deadline = Date.parse(request.deadline_at);
  return Number.isFinite(deadline) && deadline <= now.getTime();
}

/**
 * The terminal result of a request whose deadline passed before a model was called: every stage ends it this
 * way instead of passing it on, so a consumer that restarts from old offsets never re-runs stale paid calls.
 */
export function expiredResult(request: RequestIdentity & { cache_key?: string }, attempt: number, now = new Date()): LlmResultV1 {
  return unansweredResult(
    request,
    {
      status: 'expired',
      error: { code: 'EXPIRED', message: 'the request was not answered before its deadline', retryable: false },
      attempt,
      ...(request.cache_key !== undefined ? { cache_key: request.cache_key } : {}),
    },
    now,
  );
}
