/** Cormack, Clarke & Büttcher (SIGIR 2009): k = 60 damps the head of each list so no single list dominates. */
export const RRF_K = 60;

export interface FusedHit {
  id: string;
  /** Sum over lists of 1 / (k + rank), rank from 1. */
  score: number;
  /** Rank in each input list (1-based), absent where the id was not returned. */
  ranks: Array<number | undefined>;
}

/**
 * Reciprocal rank fusion of ranked id lists (best first). Scores of different retrievers are not comparable
 * (cosine vs BM25), ranks are; ties break by the best single rank, then by id, so the order is deterministic.
 */
export function reciprocalRankFusion(lists: ReadonlyArray<readonly string[]>, options: { k?: number; weights?: readonly number[] } = {}): FusedHit[] {
  const k = options.k ?? RRF_K;
  const fused = new Map<string, FusedHit>();
  lists.forEach((list, li) => {
    const weight = options.weights?.[li] ?? 1;
    const seen = new Set<string>();
    list.forEach((id, index) => {
      if (seen.has(id)) return;
      seen.add(id);
      let hit = fused.get(id);
      if (!hit) fused.set(id, (hit = { id, score: 0, ranks: lists.map(() => undefined) }));
      hit.ranks[li] = index + 1;
      hit.score += weight / (k + index + 1);
    });
  });
  const best = (h: FusedHit) => Math.min(...h.ranks.map((r) => r ?? Infinity));
  return [...fused.values()].sort((a, b) => b.score - a.score || best(a) - best(b) || (a.id < b.id ? -1 : 1));
}
