import { analyze } from './analyzer';

export interface Bm25Options {
  /** Term-frequency saturation. */
  k1: number;
  /** Length normalisation. */
  b: number;
}

/** The usual Okapi BM25 parameters (Robertson & Zaragoza). */
export const DEFAULT_BM25: Bm25Options = { k1: 1.2, b: 0.75 };

export interface LexicalHit<P> {
  id: string;
  score: number;
  payload: P;
}

interface Entry<P> {
  length: number;
  terms: Map<string, number>;
  payload: P;
}

/**
 * An in-process Okapi BM25 index over an inverted list. Adding an id again replaces it. Scores use the
 * Lucene form of IDF, ln(1 + (N - df + 0.5) / (df + 0.5)), which never goes negative for common terms.
 */
export class Bm25Index<P = unknown> {
  private readonly docs = new Map<string, Entry<P>>();
  private readonly postings = new Map<string, Set<string>>();
  private totalLength = 0;

  constructor(private readonly options: Bm25Options = DEFAULT_BM25) {}

  get size(): number {
    return this.docs.size;
  }

  add(id: string, text: string, payload: P): void {
    this.remove(id);
    const terms = new Map<string, number>();
    const analyzed = analyze(text);
    for (const term of analyzed) terms.set(term, (terms.get(term) ?? 0) + 1);
    for (const term of terms.keys()) {
      let list = this.postings.get(term);
      if (!list) this.postings.set(term, (list = new Set()));
      list.add(id);
    }
    this.docs.set(id, { length: analyzed.length, terms, payload });
    this.totalLength += analyzed.length;
  }

  remove(id: string): boolean {
    const entry = this.docs.get(id);
    if (!entry) return false;
    for (const term of entry.terms.keys()) {
      const list = this.postings.get(term);
      list?.delete(id);
      if (list?.size === 0) this.postings.delete(term);
    }
    this.docs.delete(id);
    this.totalLength -= entry.length;
    return true;
  }

  /** Removes every entry whose payload matches; returns how many. */
  removeWhere(predicate: (payload: P) => boolean): number {
    let removed = 0;
    for (const [id, entry] of [...this.docs]) if (predicate(entry.payload) && this.remove(id)) removed++;
    return removed;
  }

  search(query: string, topK: number, filter?: (payload: P) => boolean): LexicalHit<P>[] {
    const n = this.docs.size;
    if (n === 0 || topK <= 0) return [];
    const { k1, b } = this.options;
    const avgLength = this.totalLength / n || 1;
    const scores = new Map<string, number>();
    for (const term of new Set(analyze(query))) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = Math.log(1 + (n - list.size + 0.5) / (list.size + 0.5));
      for (const id of list) {
        const entry = this.docs.get(id)!;
        if (filter && !filter(entry.payload)) continue;
        const tf = entry.terms.get(term)!;
        const score = (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * entry.length) / avgLength));
        scores.set(id, (scores.get(id) ?? 0) + score);
      }
    }
    return [...scores]
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
      .slice(0, topK)
      .map(([id, score]) => ({ id, score, payload: this.docs.get(id)!.payload }));
  }
}
