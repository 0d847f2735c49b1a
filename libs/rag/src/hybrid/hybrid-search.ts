import { reciprocalRankFusion, RRF_K } from '../fusion/reciprocal-rank-fusion';

export interface RankedHit {
  id: string;
  score: number;
}

export interface HybridHit {
  id: string;
  /** Reciprocal rank fusion score. */
  score: number;
  /** Cosine similarity from the dense list, when the id was in it. */
  dense?: number;
  /** BM25 score from the lexical list, when the id was in it. */
  lexical?: number;
}

export type RetrieverMode = 'dense' | 'lexical' | 'hybrid';

/** RRF's damping constant and the dense list's weight (the lexical list weighs 1). */
export interface FusionParams {
  k: number;
  denseWeight: number;
}

/**
 * Runs the dense and the lexical retriever in parallel and fuses their rankings (RRF). Each retriever is asked
 * for `candidates` hits (more than `topK`), so a chunk ranked modestly by both can still rise into the top k.
 */
export async function hybridSearch(
  retrievers: { dense: (limit: number) => Promise<RankedHit[]>; lexical: (limit: number) => Promise<RankedHit[]> },
  options: { topK: number; candidates?: number; mode?: RetrieverMode; fusion?: FusionParams },
): Promise<HybridHit[]> {
  const mode = options.mode ?? 'hybrid';
  const limit = Math.max(options.topK, options.candidates ?? options.topK * 4);
  const [dense, lexical] = await Promise.all([
    mode === 'lexical' ? Promise.resolve([]) : retrievers.dense(mode === 'dense' ? options.topK : limit),
    mode === 'dense' ? Promise.resolve([]) : retrievers.lexical(mode === 'lexical' ? options.topK : limit),
  ]);
  const denseScore = new Map(dense.map((h) => [h.id, h.score]));
  const lexicalScore = new Map(lexical.map((h) => [h.id, h.score]));
  const withScores = (id: string, score: number): HybridHit => ({ id, score, dense: denseScore.get(id), lexical: lexicalScore.get(id) });
  if (mode === 'dense') return dense.slice(0, options.topK).map((h) => withScores(h.id, h.score));
  if (mode === 'lexical') return lexical.slice(0, options.topK).map((h) => withScores(h.id, h.score));
  const fusion = options.fusion ?? { k: RRF_K, denseWeight: 1 };
  return reciprocalRankFusion([dense.map((h) => h.id), lexical.map((h) => h.id)], { k: fusion.k, weights: [fusion.denseWeight, 1] })
    .slice(0, options.topK)
    .map((h) => withScores(h.id, h.score));
}

/**
 * The pipeline declines when even its best candidate is not close enough to the question: the highest dense
 * cosine among the hits is below a calibrated threshold (tools/bench-rag fits it). No hit at all also declines.
 */
export function shouldDecline(hits: readonly HybridHit[], threshold: number): boolean {
  const best = Math.max(-Infinity, ...hits.map((h) => h.dense ?? -Infinity));
  return best < threshold;
}
