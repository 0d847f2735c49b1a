/** What a grounded prompt shows of a source. */
export interface PromptSource {
  citation: number;
  text: string;
  title?: string;
}

/** First line of the sources message; the worker and model-sim recognise a grounded prompt by it. */
export const SOURCES_HEADER = 'Answer from the numbered sources below only.';

const INSTRUCTIONS =
  'Cite the source of every claim with its number in square brackets, like [1] or [2][3]. ' +
  'If the sources do not contain the answer, say that you cannot answer from the provided documents.';

const NO_SOURCES =
  'No document in the requested collection supports an answer to this question. ' +
  'Say that you cannot answer it from the provided documents; do not answer from general knowledge.';

/**
 * The system message that carries retrieved context. It goes after the caller's own system messages, so their
 * instructions keep precedence, and before the conversation. With no sources it tells the model to decline.
 */
export function groundingMessage(sources: readonly PromptSource[]): { role: 'system'; content: string } {
  if (sources.length === 0) return { role: 'system', content: `${SOURCES_HEADER}\n${NO_SOURCES}` };
  const blocks = sources.map((s) => `[${s.citation}]${s.title ? ` ${s.title}:` : ''} ${s.text}`);
  return { role: 'system', content: `${SOURCES_HEADER}\n${INSTRUCTIONS}\n\n${blocks.join('\n\n')}` };
}

/** Inserts the grounding message after any leading system/developer messages. */
export function withGrounding<M extends { role: string }>(messages: readonly M[], grounding: M): M[] {
  let at = 0;
  while (at < messages.length && (messages[at]!.role === 'system' || messages[at]!.role === 'developer')) at++;
  return [...messages.slice(0, at), grounding, ...messages.slice(at)];
}

/** Citation numbers an answer uses: `[1]`, `[2, 3]`, `[2][3]`; numbers outside 1..max are ignored. */
export function citedNumbers(answer: string, max: number): Set<number> {
  const cited = new Set<number>();
  for (const match of answer.matchAll(/\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g)) {
    for (const n of match[1]!.split(',').map((x) => Number(x.trim()))) if (n >= 1 && n <= max) cited.add(n);
  }
  return cited;
}
