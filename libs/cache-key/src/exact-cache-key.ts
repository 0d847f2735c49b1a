import { createHash } from 'node:crypto';
import type { ChatRequestBody } from '@llm/contracts';

/**
 * The exact-cache key (DESIGN.md, cache): a hash of tenant + messages (system prompt included) + tools +
 * every parameter that changes the output + the requested model. Shared by the cache service (writer) and
 * ingress (read-only fast path) so both compute the same key. Object keys are sorted so the JSON field order
 * a client happens to send does not split the cache.
 */
export function exactCacheKey(tenantId: string, body: ChatRequestBody): string {
  const material = {
    v: 1,
    tenant: tenantId,
    model: body.model,
    messages: body.messages,
    tools: body.tools ?? null,
    tool_choice: body.tool_choice ?? null,
    response_format: body.response_format ?? null,
    params: {
      temperature: body.temperature ?? null,
      top_p: body.top_p ?? null,
      max_tokens: body.max_completion_tokens ?? body.max_tokens ?? null,
      stop: body.stop ?? null,
      seed: body.seed ?? null,
      presence_penalty: body.presence_penalty ?? null,
      frequency_penalty: body.frequency_penalty ?? null,
      logprobs: body.logprobs ?? null,
      top_logprobs: body.top_logprobs ?? null,
    },
  };
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
