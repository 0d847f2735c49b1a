import { llmRequestV1, Topics, type TopicName } from '@llm/contracts';
import type { DeadLetterHandler } from '@llm/kafka';
import type { INestApplicationContext } from '@nestjs/common';
import { unansweredResult } from './outcome.builder';
import { ResultPublisher } from './result.publisher';

/** Topics whose messages are requests a caller may be waiting on. */
const REQUEST_PATH: ReadonlySet<TopicName> = new Set([Topics.requests, Topics.retrieve, Topics.route, Topics.inference]);

/**
 * A dead-lettered request is finished as failed, so a sync or streaming caller hears back at once instead of
 * waiting for its timeout. Messages that never validated carry no trustworthy identity and are left to the DLQ.
 */
export function finishDeadLettered(results: Pick<ResultPublisher, 'publish'>): DeadLetterHandler {
  return async ({ topic, payload, code, reason, attempt }) => {
    if (!REQUEST_PATH.has(topic)) return;
    const request = llmRequestV1.safeParse(payload);
    if (!request.success) return;
    await results.publish(
      unansweredResult(request.data, {
        status: 'failed',
        error: { code, message: `the request could not be processed (${reason.slice(0, 300)})`, retryable: false },
        attempt,
      }),
    );
  };
}

/** For ServiceDefinition.onDeadLetter of a request-path service: finishes through the app's ResultPublisher. */
export function finishDeadLetteredRequests(app: INestApplicationContext): DeadLetterHandler {
  return finishDeadLettered(app.get(ResultPublisher));
}
