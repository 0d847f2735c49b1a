import type { Embedder } from '@llm/embeddings';
import type { PayloadValue, TenantVectorIndex } from '@llm/vector-store';
import type { LexicalRetriever } from '../lexical/lexical-retriever';
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
 * filter) and BM25 (in-process, or Qdrant sparse vectors), in parallel, fused by rank. Only the tenant's index
 * facade is reachable here, so the search cannot leave the tenant.
 */
export class CollectionSearcher {
  constructor(
    private readonly embedder: Embedder,
    private readonly vectors: TenantVectorIndex,
    private readonly lexical: LexicalRetriever,
    readonly collection: string,
  ) {}

  async search(query: string, options: SearchOptions): Promise<HybridHit[]> {
    const filter = { ...(options.filter ?? {}), collection: this.collection };
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
        lexical: (limit) => this.lexical.search(query, limit, filter),
      },
      { topK: options.topK, candidates: options.candidates, mode: options.mode, fusion: options.fusion },
    );
  }
}
