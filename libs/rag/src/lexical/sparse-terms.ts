import { analyze } from './analyzer';
import { DEFAULT_BM25, type Bm25Options } from './bm25.index';

/**
 * Average analysed length assumed for BM25's length normalisation when the index cannot know the real one (Qdrant
 * stores each point's weights at write time). About the analysed terms of a 300–500 token chunk.
 */
export const SPARSE_AVG_LENGTH = 180;

/** FNV-1a: a stable 32-bit term id (Qdrant sparse indices are u32); collisions only merge two rare terms. */
export function termId(term: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < term.length; i++) {
    h ^= term.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A document's sparse vector: each term's BM25 saturated, length-normalised frequency (the IDF is the index's). */
export function documentSparseVector(text: string, options: Bm25Options = DEFAULT_BM25, avgLength = SPARSE_AVG_LENGTH): { indices: number[]; values: number[] } {
  const terms = analyze(text);
  const tf = new Map<number, number>();
  for (const t of terms) tf.set(termId(t), (tf.get(termId(t)) ?? 0) + 1);
  const norm = options.k1 * (1 - options.b + (options.b * terms.length) / avgLength);
  const indices = [...tf.keys()];
  return { indices, values: indices.map((i) => (tf.get(i)! * (options.k1 + 1)) / (tf.get(i)! + norm)) };
}

/** A query's sparse vector: each distinct term once (BM25 ignores query term frequency here, as Bm25Index does). */
export function querySparseVector(text: string): { indices: number[]; values: number[] } {
  const indices = [...new Set(analyze(text).map(termId))];
  return { indices, values: indices.map(() => 1) };
}
