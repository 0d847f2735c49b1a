import type { Embedder } from '@llm/embeddings';
import type { Payload, PayloadValue, TenantVectorIndex } from '@llm/vector-store';
import type { Bm25Index } from '../lexical/bm25.index';
import { CHUNK_FIELD } from './chunk-points';
import { hybridSearch, type FusionParams, type HybridHit, type RetrieverMode } from './hybrid-search';

export interface SearchOptions {
  topK: number;
  /** Equality on chunk payload fields (the collection is always one of them). */
  filter?: Record<string, PayloadValue>;
  mode?: RetrieverMode;
  /** Hits each retriever returns before fusion; default 4 x topK. */
  candidates?: number;
  fusion?: FusionParams;
}

/**
 * Searches one tenant's collection: dense over the tenant-scoped vector index (the collection is a payload
 * filter) and BM25 over the collection's in-process index, in parallel, fused by rank. Only the tenant's index
 * facade is reachable here, so the search cannot leave the tenant.
 */
export class CollectionSearcher {
  constructor(
    private readonly embedder: Embedder,
    private readonly vectors: TenantVectorIndex,
    private readonly lexical: Bm25Index<Payload>,
    readonly collection: string,
  ) {}

  async search(query: string, options: SearchOptions): Promise<HybridHit[]> {
    const filter = { ...(options.filter ?? {}), collection: this.collection };
    const matches = (payload: Payload) => Object.entries(filter).every(([k, v]) => payload[k] === v);
    return hybridSearch(
      {
        dense: async (limit) => {
          const [vector] = await this.embedder.embed([query]);
          // A chunk may have several windows: ask for more, keep each chunk's best window.
          const hits = await this.vectors.search(vector!, { topK: limit * 3, filter: { equals: filter } });
          const best = new Map<string, number>();
          for (const h of hits) {
            const chunk = typeof h.payload[CHUNK_FIELD] === 'string' ? h.payload[CHUNK_FIELD] : h.id;
            if (!best.has(chunk)) best.set(chunk, h.score);
          }
          return [...best].slice(0, limit).map(([id, score]) => ({ id, score }));
        },
        lexical: async (limit) => this.lexical.search(query, limit, matches).map((h) => ({ id: h.id, score: h.score })),
      },
      { topK: options.topK, candidates: options.candidates, mode: options.mode, fusion: options.fusion },
    );
  }
}
