import { Inject, Injectable } from '@nestjs/common';
import { Topics, type LlmRequestV1 } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { answeredResult, ResultPublisher, usageEvent } from '@llm/result-stream';
import { LOGGER } from '@llm/service-runtime';
import { MetricsRegistry, type Logger } from '@llm/telemetry';
import type { Counter } from 'prom-client';
import { SemanticCacheRepository } from '../../semantic-cache.repository';
import { SemanticMatcher, type PreparedLookup, type SemanticMatch } from '../../semantic-matcher';
import type { SemanticAnswer } from '../../semantic-cache.repository';
import type { LookupSemanticCommand } from './lookup-semantic.command';

/** Same ledger identity as an exact hit: a redelivered hit is one usage row. */
const CACHE_HIT_CALL_ID = 'cache';

/**
 * Runs after an exact miss. A hit (similar enough question in the same context, per the tenant's policy) is
 * answered at once: zero cost, the estimated saving and the similarity on the usage and the result. A miss
 * leaves a pending record so the answer, when it comes, is stored under this question. `cache: refresh` skips
 * the lookup but still stores; the embedding or vector store failing is a miss, never a failed request.
 */
@Injectable()
export class LookupSemanticUseCase {
  private readonly lookups: Counter<'outcome'>;

  constructor(
    @Inject(SemanticMatcher) private readonly matcher: SemanticMatcher,
    @Inject(SemanticCacheRepository) private readonly repository: SemanticCacheRepository,
    private readonly events: EventPublisher,
    @Inject(ResultPublisher) private readonly results: Pick<ResultPublisher, 'publish'>,
    metrics: MetricsRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.lookups = metrics.counter('cache_semantic_lookups_total', 'Semantic cache lookups by outcome', ['outcome']);
  }

  /** True when the request was answered from the semantic cache. */
  async execute({ request, attempt }: LookupSemanticCommand, now = new Date()): Promise<boolean> {
    const found = await this.find(request, now);
    if (!found) return false;
    const { match, answer, prepared } = found;
    if (!match || !answer) {
      this.lookups.inc({ outcome: match?.verdict === 'rejected' ? 'rejected' : 'miss' });
      await this.repository.remember(request.tenant_id, request.request_id, prepared.pending).catch((error: unknown) => this.warn(request, error));
      return false;
    }
    this.lookups.inc({ outcome: match.verdict });
    await this.answer(request, attempt, match, answer, now);
    return true;
  }

  /** The embedding or the vector store failing is a miss (undefined), never a failed request. */
  private async find(request: LlmRequestV1, now: Date): Promise<{ prepared: PreparedLookup; match?: SemanticMatch; answer?: SemanticAnswer } | undefined> {
    try {
      const prepared = await this.matcher.prepare(request);
      if (!prepared) {
        this.lookups.inc({ outcome: 'not-applicable' });
        return undefined;
      }
      if (request.cache === 'refresh') return { prepared };
      const match = await this.matcher.match(request.tenant_id, request.feature, prepared, now);
      if (!match || (match.verdict !== 'hit' && match.verdict !== 'verified')) return { prepared, ...(match ? { match } : {}) };
      const answer = await this.repository.answer(request.tenant_id, match.candidate.id);
      return { prepared, match, ...(answer ? { answer } : {}) };
    } catch (error) {
      this.lookups.inc({ outcome: 'error' });
      this.warn(request, error);
      return undefined;
    }
  }

  private warn(request: LlmRequestV1, error: unknown): void {
    this.logger.warn({ err: error, request_id: request.request_id, tenant_id: request.tenant_id }, 'semantic cache unavailable; treated as a miss');
  }

  private async answer(request: LlmRequestV1, attempt: number, match: SemanticMatch, answer: SemanticAnswer, now: Date): Promise<void> {
    const usage = answer.completion.usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    const similarity = Math.max(-1, Math.min(1, match.candidate.similarity));
    const latency = Math.max(0, now.getTime() - Date.parse(request.created_at));
    await this.events.publish(
      Topics.usage,
      usageEvent(
        request,
        {
          call_id: CACHE_HIT_CALL_ID,
          attempt,
          model: answer.completion.model,
          provider: 'cache',
          source: 'cache',
          status: 'succeeded',
          tokens_in: usage.prompt_tokens,
          tokens_out: usage.completion_tokens,
          cost_micros: 0,
          saved_micros: answer.cost_micros,
          latency_ms: Number.isFinite(latency) ? latency : 0,
        },
        now,
      ),
    );
    await this.results.publish(
      answeredResult(
        request,
        {
          source: 'cache',
          model: answer.completion.model,
          provider: 'cache',
          response: { ...answer.completion, id: `chatcmpl-${request.request_id}`, created: Math.floor(now.getTime() / 1000) },
          usage,
          cost_micros: 0,
          cache_hit: { kind: 'semantic', similarity, saved_micros: answer.cost_micros },
          attempt,
        },
        now,
      ),
    );
  }
}
