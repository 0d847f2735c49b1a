import { createHash } from 'node:crypto';
import { answerParams, canonicalJson } from '@llm/cache-key';
import type { ChatRequestBody, LlmRequestV1 } from '@llm/contracts';

/** Version keys that retire entries when bumped (purge API, purge topic, collection re-index). */
export interface CacheVersions {
  tenant: string;
  feature: string;
  collection: string;
}

export const INITIAL_VERSIONS: CacheVersions = { tenant: '0', feature: '0', collection: '0' };

/**
 * The semantic question: the text of the last user turn, normalised (Unicode NFKC, case, whitespace, trailing
 * punctuation), or undefined when the request cannot be matched by meaning: the last turn is not the user's
 * (a tool result), or it carries something other than text (an image).
 */
export function semanticQuestion(body: ChatRequestBody): string | undefined {
  const last = body.messages[body.messages.length - 1];
  if (!last || last.role !== 'user') return undefined;
  let text: string;
  if (typeof last.content === 'string') text = last.content;
  else if (Array.isArray(last.content) && last.content.every((part) => part.type === 'text')) text = last.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
  else return undefined;
  const normalised = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[\s?!.]+$/u, '')
    .trim();
  return normalised.length > 0 ? normalised : undefined;
}

/**
 * Hash of everything the answer depends on besides the question: model, system prompt and earlier turns, tools,
 * tool choice, response format, sampling parameters, the feature, the RAG collection and its version, and the
 * tenant's version keys. Only entries with the same context hash are candidates, so the same question asked with
 * another system prompt, other tools or after a purge never hits.
 */
export function semanticContextHash(request: Pick<LlmRequestV1, 'tenant_id' | 'feature' | 'body' | 'rag'>, versions: CacheVersions): string {
  const { body } = request;
  const material = {
    v: 1,
    tenant: request.tenant_id,
    feature: request.feature ?? null,
    model: body.model,
    earlier: body.messages.slice(0, -1),
    tools: body.tools ?? null,
    tool_choice: body.tool_choice ?? null,
    response_format: body.response_format ?? null,
    params: answerParams(body),
    rag: request.rag ? { collection: request.rag.collection, top_k: request.rag.top_k ?? null } : null,
    versions,
  };
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}

/** Id of one entry: a question in a context (storing it again replaces it). */
export function semanticEntryId(contextHash: string, question: string): string {
  return createHash('sha256').update(`${contextHash}\n${question}`).digest('hex');
}
