import { llmRequestV1, Topics, type TopicName } from '@llm/contracts';
import type { DeadLetterHandler } from '@llm/kafka';
import type { INestApplicationContext } from '@nestjs/common';
import { ResultPublisher, resultIdentity } from './result.publisher';

/** Topics whose messages are requests a caller may be waiting on. */
const REQUEST_PATH: ReadonlySet<TopicName> = new Set([Topics.requests, Topics.retrieve, Topics.route, Topics.inference]);

/**
 * A dead-lettered request is finished as failed, so a sync or streaming caller hears back at once instead of
 * waiting for its timeout. Messages that never validated carry no trustworthy identity and are left to the DLQ.
 */
export function finishDeadLettered(results: ResultPublisher): DeadLetterHandler {
  return async ({ topic, payload, code, reason }) => {
    if (!REQUEST_PATH.has(topic)) return;
    const request = llmRequestV1.safeParse(payload);
    if (!request.success) return;
    await results.publish({
      ...resultIdentity(request.data),
      status: 'failed',
      source: 'none',
      error: { code, message: `the request could not be processed (${reason.slice(0, 300)})`, retryable: false },
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      cost_micros: 0,
      latency_ms: Math.max(0, Date.now() - Date.parse(request.data.created_at)),
      attempt: 1,
      fallback_used: false,
      completed_at: new Date().toISOString(),
    });
  };
}

/** For ServiceDefinition.onDeadLetter of a request-path service: finishes through the app's ResultPublisher. */
export function finishDeadLetteredRequests(app: INestApplicationContext): DeadLetterHandler {
  return finishDeadLettered(app.get(ResultPublisher));
}
