import type { ChatCompletion, ChatRequestBody } from '@llm/contracts';

/**
 * Temperature policy of the exact cache. A request is deterministic when it samples at temperature 0 or fixes a
 * seed; only then does replaying a stored answer give the caller what a fresh call would. OpenAI's default
 * temperature is 1, so a request that sends none samples. Sampled answers are cached only when the deployment
 * opts in (`cacheSampled`), accepting that every hit repeats one draw.
 */
export interface CachePolicy {
  cacheSampled: boolean;
}

export const DEFAULT_CACHE_POLICY: CachePolicy = { cacheSampled: false };

export function isDeterministic(body: ChatRequestBody): boolean {
  return body.temperature === 0 || body.seed !== undefined;
}

/** Whether the answer to this request may be stored and served from the exact cache. */
export function isCacheableRequest(body: ChatRequestBody, policy: CachePolicy = DEFAULT_CACHE_POLICY): boolean {
  return policy.cacheSampled || isDeterministic(body);
}

/** Choices that ended on their own: anything else (cut short, filtered, or no end seen at all) is not an answer to replay. */
const COMPLETE_FINISH_REASONS: ReadonlySet<string> = new Set(['stop', 'tool_calls']);

/** Whether a model's answer is complete and faithful enough to replay as a cache hit. */
export function isCompleteAnswer(response: ChatCompletion): boolean {
  return response.choices.length > 0 && response.choices.every((c) => c.finish_reason !== null && COMPLETE_FINISH_REASONS.has(c.finish_reason));
}
