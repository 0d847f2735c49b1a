import { Inject, Injectable } from '@nestjs/common';
import { Topics, type ChatMessage, type RetrievedChunk } from '@llm/contracts';
import { isDomainError } from '@llm/errors';
import { EventPublisher } from '@llm/kafka';
import { assembleContext, groundingMessage, withGrounding } from '@llm/rag';
import { expiredResult, isExpired, ResultPublisher, unansweredResult } from '@llm/result-stream';
import { promptText } from '@llm/tokens';
import { RETRIEVER_CONFIG, type RetrieverConfig } from '../../../config/retriever.config';
import { SearchCollectionUseCase } from '../../../documents/use-cases/search-collection/search-collection.use-case';
import type { RetrieveContextCommand } from './retrieve-context.command';

/**
 * Grounds a RAG request: hybrid search of the requested collection with the last user message, the sources
 * assembled under the token budget, and a system message that shows them numbered; the request goes on to
 * routing with the sources in `context` (their citation numbers included) so the answer's citations can be
 * mapped back to documents. When no source is close enough, the message tells the model to decline.
 * An unknown collection (another tenant's is unknown too) ends the request as COLLECTION_NOT_FOUND.
 */
@Injectable()
export class RetrieveContextUseCase {
  constructor(
    private readonly events: EventPublisher,
    @Inject(ResultPublisher) private readonly results: Pick<ResultPublisher, 'publish'>,
    private readonly search: SearchCollectionUseCase,
    @Inject(RETRIEVER_CONFIG) private readonly config: Pick<RetrieverConfig, 'RAG_CONTEXT_TOKENS' | 'RAG_CHUNK_TOKENS'>,
  ) {}

  async execute({ request, attempt }: RetrieveContextCommand, now = new Date()): Promise<void> {
    if (isExpired(request, now)) {
      await this.results.publish(expiredResult(request, attempt, now));
      return;
    }
    if (!request.rag) {
      await this.events.publish(Topics.route, { ...request, context: [] });
      return;
    }
    const { collection, top_k } = request.rag;
    const question = promptText(request.body.messages.filter((m) => m.role === 'user').slice(-1));
    let outcome;
    try {
      outcome = await this.search.execute(request.tenant_id, collection, question, { topK: top_k });
    } catch (err) {
      if (isDomainError(err) && err.code === 'COLLECTION_NOT_FOUND') {
        await this.results.publish(
          unansweredResult(
            request,
            { status: 'rejected', attempt, cache_key: request.cache_key, error: { code: 'COLLECTION_NOT_FOUND', message: `no collection ${collection}`, retryable: false } },
            now,
          ),
        );
        return;
      }
      throw err;
    }
    const sources = outcome.declined
      ? []
      : assembleContext(
          outcome.hits.map((h) => ({ chunkId: h.chunk.chunkId, documentId: h.chunk.documentId, collection, text: h.chunk.text, score: h.score, title: h.chunk.title })),
          { maxTokens: this.config.RAG_CONTEXT_TOKENS, maxChunkTokens: this.config.RAG_CHUNK_TOKENS, minChunkTokens: 48 },
        );
    const context: RetrievedChunk[] = sources.map((s) => ({
      document_id: s.documentId,
      chunk_id: s.chunkId,
      text: s.text,
      score: s.score,
      citation: s.citation,
      collection,
      ...(s.title ? { title: s.title } : {}),
    }));
    const messages = withGrounding<ChatMessage>(request.body.messages, groundingMessage(sources));
    await this.events.publish(Topics.route, { ...request, body: { ...request.body, messages }, context });
  }
}
