import { Inject, Injectable } from '@nestjs/common';
import { isCompleteAnswer } from '@llm/cache-key';
import type { Embedder } from '@llm/embeddings';
import { LOGGER } from '@llm/service-runtime';
import type { Logger } from '@llm/telemetry';
import { SemanticCacheRepository } from '../../semantic-cache.repository';
import { EMBEDDER } from '../../semantic-matcher';
import { semanticEntryId } from '../../semantic-key';
import type { StoreSemanticCommand } from './store-semantic.command';

/**
 * Stores a model's complete answer under the question its request asked, in the context it was asked in (the
 * pending record the lookup left on the miss). Only complete, successful model answers of requests that went
 * through the semantic lookup are stored; `cache: off` requests never leave a pending record.
 */
@Injectable()
export class StoreSemanticUseCase {
  constructor(
    @Inject(SemanticCacheRepository) private readonly repository: Pick<SemanticCacheRepository, 'takePending' | 'save'>,
    @Inject(EMBEDDER) private readonly embedder: Embedder,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  async execute({ result }: StoreSemanticCommand, now = new Date()): Promise<boolean> {
    if (result.status !== 'succeeded' || result.source !== 'model' || !result.response || !isCompleteAnswer(result.response)) return false;
    // A lost entry only costs a future saving: it must never hold up (or dead-letter) the result it rides on.
    try {
      const pending = await this.repository.takePending(result.tenant_id, result.request_id);
      if (!pending) return false;
      // The lookup embedded this question moments ago: the embedding cache answers.
      const [vector] = await this.embedder.embed([pending.question]);
      await this.repository.save(
        result.tenant_id,
        semanticEntryId(pending.context, pending.question),
        pending,
        vector!,
        { completion: result.response, cost_micros: result.cost_micros },
        now,
      );
    } catch (error) {
      this.logger.warn({ err: error, request_id: result.request_id, tenant_id: result.tenant_id }, 'semantic cache entry not stored');
      return false;
    }
    return true;
  }
}
