import type { PayloadValue, TenantSparseIndex, Payload } from '@llm/vector-store';
import type { RankedHit } from '../hybrid/hybrid-search';
import type { Bm25Index } from './bm25.index';
import { querySparseVector } from './sparse-terms';

/** The lexical side of hybrid search over one collection (the collection is part of `filter`). */
export interface LexicalRetriever {
  search(query: string, limit: number, filter: Record<string, PayloadValue>): Promise<RankedHit[]>;
}

/** The in-process BM25 index (default). */
export function inProcessLexical(index: Bm25Index<Payload>): LexicalRetriever {
  return {
    search: async (query, limit, filter) =>
      index.search(query, limit, (payload) => Object.entries(filter).every(([k, v]) => payload[k] === v)).map((h) => ({ id: h.id, score: h.score })),
  };
}

/** BM25 served by Qdrant sparse vectors with the idf modifier (with QDRANT_URL). */
export function qdrantLexical(index: TenantSparseIndex): LexicalRetriever {
  return {
    search: async (query, limit, filter) => (await index.search(querySparseVector(query), { topK: limit, filter: { equals: filter } })).map((h) => ({ id: h.id, score: h.score })),
  };
}
