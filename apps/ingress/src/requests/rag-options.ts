/**
 * Where a chat-completions caller asks for RAG: the OpenAI `metadata` map (string values, so any OpenAI client
 * can send it): `rag_collection` and optionally `rag_top_k`; or a top-level `rag` object `{collection, top_k}`
 * (the async API's shape, sent as an extra body field). Validation is AcceptRequestCommand's.
 */
export function ragOptionsOf(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return undefined;
  const { rag, metadata } = body as { rag?: unknown; metadata?: unknown };
  if (rag !== undefined) return rag;
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const { rag_collection: collection, rag_top_k: topK } = metadata as Record<string, unknown>;
  if (collection === undefined) return undefined;
  return { collection, ...(topK !== undefined ? { top_k: typeof topK === 'string' && /^\d+$/.test(topK) ? Number(topK) : topK } : {}) };
}
