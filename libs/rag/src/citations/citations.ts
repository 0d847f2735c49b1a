import { citedNumbers } from './grounded-prompt';

/** A source the model was shown (the route event's `context` entry). */
export interface ShownSource {
  citation?: number;
  document_id: string;
  chunk_id: string;
  collection?: string;
  title?: string;
  score: number;
}

/**
 * The `citations` of a grounded answer: every source the model was shown, in citation order, each marked
 * `cited` when the answer's text refers to its number. Undefined for a request without sources.
 */
export function citationsOf(answer: string | null | undefined, sources: readonly ShownSource[]) {
  const numbered = sources.filter((s): s is ShownSource & { citation: number } => s.citation !== undefined);
  if (numbered.length === 0) return undefined;
  const cited = citedNumbers(answer ?? '', Math.max(...numbered.map((s) => s.citation)));
  return numbered
    .sort((a, b) => a.citation - b.citation)
    .map((s) => ({
      index: s.citation,
      document_id: s.document_id,
      chunk_id: s.chunk_id,
      ...(s.collection !== undefined ? { collection: s.collection } : {}),
      ...(s.title !== undefined ? { title: s.title } : {}),
      score: s.score,
      cited: cited.has(s.citation),
    }));
}
