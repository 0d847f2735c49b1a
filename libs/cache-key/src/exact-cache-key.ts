import { createHash } from 'node:crypto';
import type { ChatRequestBody } from '@llm/contracts';

/** The RAG part of a request: the retrieved context, hence the answer, depends on it. */
export interface CacheKeyRag {
  collection: string;
  top_k?: number;
}

/** Version of a RAG collection's contents until the retriever tracks one; bumping it retires old answers. */
export const DEFAULT_COLLECTION_VERSION = 'v0';

/**
 * The exact-cache key (DESIGN.md, cache): a hash of tenant + messages (system prompt included) + tools +
 * tool_choice + response_format (its schema included) + every sampling parameter + the requested model + the
 * RAG collection and its version. Shared by the cache service (writer) and ingress (read-only fast path) so
 * both compute the same key. Object keys are sorted so the JSON field order a client happens to send does not
 * split the cache. Fields that do not change the answer (stream, user) are left out.
 *
 * `v` is the key's format version: bump it whenever the material changes, so entries written under an older
 * rule can never be read as answers to a request they did not answer.
 */
export function exactCacheKey(tenantId: string, body: ChatRequestBody, rag?: CacheKeyRag, collectionVersion = DEFAULT_COLLECTION_VERSION): string {
  const material = {
    v: 2,
    tenant: tenantId,
    model: body.model,
    messages: body.messages,
    tools: body.tools ?? null,
    tool_choice: body.tool_choice ?? null,
    response_format: body.response_format ?? null,
    params: answerParams(body),
    rag: rag ? { collection: rag.collection, top_k: rag.top_k ?? null, version: collectionVersion } : null,
  };
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}

/**
 * Every request parameter that changes the answer (sampling, limits, stops, logprobs): part of both the exact
 * key and the semantic cache's context hash. Both limits are kept apart: a provider may honour one and not the other.
 */
export function answerParams(body: ChatRequestBody): Record<string, unknown> {
  return {
    temperature: body.temperature ?? null,
    top_p: body.top_p ?? null,
    n: body.n ?? null,
    max_tokens: body.max_tokens ?? null,
    max_completion_tokens: body.max_completion_tokens ?? null,
    stop: body.stop ?? null,
    seed: body.seed ?? null,
    presence_penalty: body.presence_penalty ?? null,
    frequency_penalty: body.frequency_penalty ?? null,
    logprobs: body.logprobs ?? null,
    top_logprobs: body.top_logprobs ?? null,
  };
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
