/**
 * Lexical helpers of the grounding and refusal judges: lower-cased word tokens without stop words, sentences as
 * claims, and citation markers. Deliberately simple and deterministic: the lexical score is the cheap, explainable
 * half of grounding; the LLM judge is the other half.
 */
const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its ' +
    'me my no not of on or our she so than that the their them then there these they this those to was we were what when ' +
    'where which who whom why will with would you your also just only very more most some such any each about over under'
  ).split(' '),
);

/** Citation markers: [1], [^2], [doc-7#3] — numbers index the context (1-based), other ids name a chunk or document. */
const CITATION = /\[\^?([A-Za-z0-9][\w:#./-]{0,127})\]/g;

export function contentTokens(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(CITATION, ' ')
      .match(/[\p{L}\p{N}]+/gu) ?? []
  )
    .filter((t) => t.length > 1 && !STOP_WORDS.has(t))
    .map(singular);
}

/** A plural `s` is not a different claim ("bees" is supported by "bee"): the lightest stemming that helps. */
function singular(token: string): string {
  return token.length > 3 && token.endsWith('s') && !token.endsWith('ss') ? token.slice(0, -1) : token;
}

export function citationMarkers(text: string): string[] {
  return [...text.matchAll(CITATION)].map((m) => m[1]!);
}

/** Sentences with at least `minTokens` content words: the claims an answer makes. */
export function claimsOf(text: string, minTokens = 3): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => contentTokens(s).length >= minTokens);
}

/** Share of the claim's content words found in the chunk (0 when the claim has none); a chunk may come pre-tokenised. */
export function lexicalSupport(claim: string, chunk: string | ReadonlySet<string>): number {
  const words = new Set(contentTokens(claim));
  if (words.size === 0) return 0;
  const chunkWords = typeof chunk === 'string' ? new Set(contentTokens(chunk)) : chunk;
  let found = 0;
  for (const w of words) if (chunkWords.has(w)) found += 1;
  return found / words.size;
}

const REFUSAL = [
  /\b(i|we) (do not|don't|cannot|can't|could not|couldn't) (know|answer|find|tell|say|determine)\b/i,
  /\bno (relevant )?(information|answer|context|sources?)\b/i,
  /\bnot (in|covered by|mentioned in|found in|stated in|present in) the (provided |given )?(context|documents?|sources?|passages?)\b/i,
  /\b(unable|not able) to (answer|find|determine)\b/i,
  /\binsufficient (information|context)\b/i,
  /^\s*(unanswerable|i don't know)\b/i,
];

/** Does the answer decline (a refusal field, or a recognisable "I cannot answer from the context")? */
export function isRefusal(answer: string | null | undefined, refusalField?: string | null): boolean {
  if (refusalField) return true;
  if (!answer) return false;
  return REFUSAL.some((r) => r.test(answer));
}
