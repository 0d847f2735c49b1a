import { Inject, Injectable } from '@nestjs/common';
import { RAG_CALIBRATION, shouldDecline, type RetrieverMode } from '@llm/rag';
import type { PayloadValue } from '@llm/vector-store';
import { RETRIEVER_CONFIG, type RetrieverConfig } from '../../../config/retriever.config';
import { KnowledgeIndex, metadataFilter } from '../../../knowledge/knowledge.index';
import { KnowledgeError } from '../../../knowledge/knowledge.errors';
import { KnowledgeRepository, type ChunkRow } from '../../../knowledge/knowledge.repository';

export interface SearchHit {
  chunk: ChunkRow;
  score: number;
  dense?: number;
  lexical?: number;
}

export interface SearchOutcome {
  hits: SearchHit[];
  /** No hit is close enough to the question (calibrated threshold): the pipeline declines to answer. */
  declined: boolean;
}

/** Hybrid search of one of the tenant's collections; an unknown collection (another tenant's included) is not found. */
@Injectable()
export class SearchCollectionUseCase {
  private readonly threshold: number;

  constructor(
    private readonly repository: KnowledgeRepository,
    private readonly index: KnowledgeIndex,
    @Inject(RETRIEVER_CONFIG) config: Pick<RetrieverConfig, 'RAG_DECLINE_THRESHOLD'>,
  ) {
    this.threshold = config.RAG_DECLINE_THRESHOLD ?? RAG_CALIBRATION.threshold;
  }

  async execute(
    tenantId: string,
    collection: string,
    query: string,
    options: { topK: number; filter?: Record<string, PayloadValue>; mode?: RetrieverMode },
  ): Promise<SearchOutcome> {
    const found = await this.repository.findCollection(tenantId, collection);
    if (!found) throw new KnowledgeError('COLLECTION_NOT_FOUND', `no collection ${collection}`);
    const searcher = await this.index.searcher(tenantId, collection, found.revision);
    const hits = await searcher.search(query, { topK: options.topK, filter: metadataFilter(options.filter), mode: options.mode, fusion: RAG_CALIBRATION.fusion });
    const rows = new Map(
      (
        await this.repository.chunksByIds(
          tenantId,
          collection,
          hits.map((h) => h.id),
        )
      ).map((c) => [c.chunkId, c]),
    );
    // A hit whose row is gone belongs to a replaced or deleted version whose vectors are still being removed.
    const live = hits.flatMap((h) => {
      const chunk = rows.get(h.id);
      return chunk ? [{ chunk, score: h.score, dense: h.dense, lexical: h.lexical }] : [];
    });
    const declined = (options.mode ?? 'hybrid') !== 'lexical' && shouldDecline(hits, this.threshold);
    return { hits: live, declined };
  }
}
