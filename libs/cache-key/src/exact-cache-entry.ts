import { chatCompletion, type ChatCompletion } from '@llm/contracts';
import { isCompleteAnswer } from './cache-policy';

/**
 * Decodes a stored exact-cache entry. Anything that is not a complete answer under today's schema (bad JSON, an
 * entry written under an older schema, a hand-edited or truncated value, an answer cut short) is a miss: a reader
 * must never crash on, nor replay, an entry it cannot vouch for.
 */
export function decodeExactCacheEntry(raw: string | null): ChatCompletion | undefined {
  if (raw === null) return undefined;
  const parsed = chatCompletion.safeParse(safeJson(raw));
  if (!parsed.success || !isCompleteAnswer(parsed.data)) return undefined;
  return parsed.data;
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
