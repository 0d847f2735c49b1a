import { Inject, Injectable } from '@nestjs/common';
import { Topics, type ChatMessage, type RetrievedChunk } from '@llm/contracts';
import { isDomainError } from '@llm/errors';
import { EventPublisher } from '@llm/kafka';
import { assembleContext, groundingMessage, withGrounding } from '@llm/rag';
import { expiredResult, isExpired, ResultPublisher, unansweredResult } from '@llm/result-stream';
import { screenTexts } from '@llm/screening';
import { MetricsRegistry } from '@llm/telemetry';
import { promptText } from '@llm/tokens';
import type { Counter } from 'prom-client';
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
  private readonly screened: Counter<'decision' | 'family'>;

  constructor(
    private readonly events: EventPublisher,
    @Inject(ResultPublisher) private readonly results: Pick<ResultPublisher, 'publish'>,
    private readonly search: SearchCollectionUseCase,
    @Inject(RETRIEVER_CONFIG) private readonly config: Pick<RetrieverConfig, 'RAG_CONTEXT_TOKENS' | 'RAG_CHUNK_TOKENS'>,
    metrics: MetricsRegistry,
  ) {
    this.screened = metrics.counter('retriever_context_screening_total', 'Retrieved sources flagged by prompt-injection screening, by action and pattern family', [
      'decision',
      'family',
    ]);
  }

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
    const { kept, model } = this.screen(request, sources);
    const context: RetrievedChunk[] = kept.map((s) => ({
      document_id: s.documentId,
      chunk_id: s.chunkId,
      text: s.text,
      score: s.score,
      citation: s.citation,
      collection,
      ...(s.title ? { title: s.title } : {}),
    }));
    const messages = withGrounding<ChatMessage>(request.body.messages, groundingMessage(kept));
    await this.events.publish(Topics.route, { ...request, body: { ...request.body, model, messages }, context });
  }

  /**
   * Retrieved text is untrusted input too (a poisoned document): each source is screened with the caller's plan
   * policy, as ingress screens user turns. `tag` keeps it (counted), `block` leaves the flagged source out of
   * the context, `route` sends the request to the plan's safer model. Only pattern families are counted; the
   * text is never logged.
   */
  private screen<S extends { text: string }>(request: RetrieveContextCommand['request'], sources: readonly S[]): { kept: S[]; model: string } {
    const policy = request.screening ?? { pattern_set: 'default' as const, action: 'tag' as const };
    if (policy.pattern_set === 'off') return { kept: [...sources], model: request.body.model };
    const kept: S[] = [];
    let flagged = false;
    for (const source of sources) {
      const result = screenTexts([source.text], policy.pattern_set);
      if (!result.flagged) {
        kept.push(source);
        continue;
      }
      flagged = true;
      for (const family of result.families) this.screened.inc({ decision: policy.action, family });
      if (policy.action !== 'block') kept.push(source);
    }
    const model = flagged && policy.action === 'route' && policy.route_model ? policy.route_model : request.body.model;
    return { kept, model };
  }
}
