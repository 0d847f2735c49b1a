import { Inject, Injectable, Optional } from '@nestjs/common';
import { exactCacheKey, isCacheableRequest } from '@llm/cache-key';
import { Topics, type ChatCompletion, type LlmRequestV1 } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { answeredResult, expiredResult, isExpired, ResultPublisher, usageEvent } from '@llm/result-stream';
import { MetricsRegistry } from '@llm/telemetry';
import type { Counter } from 'prom-client';
import { CACHE_CONFIG, type CacheConfig } from '../../../config/cache.config';
import { ExactCacheRepository } from '../../exact-cache.repository';
import { LookupSemanticCommand } from '../../../semantic-cache/use-cases/lookup-semantic/lookup-semantic.command';
import { LookupSemanticUseCase } from '../../../semantic-cache/use-cases/lookup-semantic/lookup-semantic.use-case';
import type { LookupRequestCommand } from './lookup-request.command';

/**
 * The usage event of a hit has a fixed call id: a hit whose result publish failed is redelivered and answered
 * again, and its usage must then be the same ledger row, not a second one.
 */
export const CACHE_HIT_CALL_ID = 'cache';

/**
 * Answers an exact hit at once (zero cost, still recorded as usage so the ledger and evaluator see every
 * request); sends a miss on to retrieval (RAG requests) or routing, carrying the key for the write-back. A
 * request the temperature policy keeps out of the cache is passed on without a key, so its answer is never
 * stored. A request past its deadline ends here as EXPIRED and goes no further.
 */
@Injectable()
export class LookupRequestUseCase {
  private readonly lookups: Counter<'outcome'>;

  constructor(
    @Inject(ExactCacheRepository) private readonly cache: Pick<ExactCacheRepository, 'find'>,
    private readonly events: EventPublisher,
    @Inject(ResultPublisher) private readonly results: Pick<ResultPublisher, 'publish'>,
    @Inject(CACHE_CONFIG) private readonly config: Pick<CacheConfig, 'EXACT_CACHE_SAMPLED'>,
    metrics: MetricsRegistry,
    @Optional() @Inject(LookupSemanticUseCase) private readonly semantic?: Pick<LookupSemanticUseCase, 'execute'>,
  ) {
    this.lookups = metrics.counter('cache_exact_lookups_total', 'Exact cache lookups by outcome', ['outcome']);
  }

  async execute({ request, attempt }: LookupRequestCommand, now = new Date()): Promise<void> {
    if (isExpired(request, now)) {
      this.lookups.inc({ outcome: 'expired' });
      await this.results.publish(expiredResult(request, attempt, now));
      return;
    }
    if (request.cache === 'off' || !isCacheableRequest(request.body, { cacheSampled: this.config.EXACT_CACHE_SAMPLED })) {
      this.lookups.inc({ outcome: 'bypass' });
      await this.forward(request);
      return;
    }
    const key = exactCacheKey(request.tenant_id, request.body, request.rag);
    // `cache: refresh` skips both lookups; the key still travels so the fresh answer is stored.
    const hit = request.cache === 'refresh' ? undefined : await this.cache.find(request.tenant_id, key);
    if (!hit) {
      this.lookups.inc({ outcome: 'miss' });
      if (await this.semantic?.execute(LookupSemanticCommand.create(request, attempt), now)) return;
      await this.forward(request, key);
      return;
    }
    this.lookups.inc({ outcome: 'hit' });
    await this.answer(request, attempt, key, hit, now);
  }

  private async forward(request: LlmRequestV1, cacheKey?: string): Promise<void> {
    const next = cacheKey === undefined ? request : { ...request, cache_key: cacheKey };
    if (request.rag) await this.events.publish(Topics.retrieve, next);
    else await this.events.publish(Topics.route, { ...next, context: [] });
  }

  private async answer(request: LlmRequestV1, attempt: number, key: string, hit: ChatCompletion, now: Date): Promise<void> {
    const usage = hit.usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    const latency = Math.max(0, now.getTime() - Date.parse(request.created_at));
    await this.events.publish(
      Topics.usage,
      usageEvent(
        request,
        {
          call_id: CACHE_HIT_CALL_ID,
          attempt,
          model: hit.model,
          provider: 'cache',
          source: 'cache',
          status: 'succeeded',
          tokens_in: usage.prompt_tokens,
          tokens_out: usage.completion_tokens,
          cost_micros: 0,
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
          model: hit.model,
          provider: 'cache',
          cache_key: key,
          response: { ...hit, id: `chatcmpl-${request.request_id}`, created: Math.floor(now.getTime() / 1000) },
          usage,
          cost_micros: 0,
          cache_hit: { kind: 'exact' },
          attempt,
        },
        now,
      ),
    );
  }
}
