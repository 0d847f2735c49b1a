import { Injectable } from '@nestjs/common';
import { exactCacheKey } from '@llm/cache-key';
import { Topics } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { ResultPublisher, resultIdentity } from '@llm/result-stream';
import { MetricsRegistry } from '@llm/telemetry';
import type { Counter } from 'prom-client';
import { ExactCacheRepository } from '../../exact-cache.repository';
import type { LookupRequestCommand } from './lookup-request.command';

/**
 * Answers an exact hit at once (zero cost, still recorded as usage so the ledger and evaluator see every
 * request); sends a miss on to retrieval (RAG requests) or routing, carrying the key for the write-back.
 */
@Injectable()
export class LookupRequestUseCase {
  private readonly lookups: Counter<'outcome'>;

  constructor(
    private readonly cache: ExactCacheRepository,
    private readonly events: EventPublisher,
    private readonly results: ResultPublisher,
    metrics: MetricsRegistry,
  ) {
    this.lookups = metrics.counter('cache_exact_lookups_total', 'Exact cache lookups by outcome', ['outcome']);
  }

  async execute({ request, attempt }: LookupRequestCommand): Promise<void> {
    const key = exactCacheKey(request.tenant_id, request.body);
    const hit = await this.cache.find(request.tenant_id, key);
    if (!hit) {
      this.lookups.inc({ outcome: 'miss' });
      if (request.rag) await this.events.publish(Topics.retrieve, { ...request, cache_key: key });
      else await this.events.publish(Topics.route, { ...request, cache_key: key, context: [] });
      return;
    }
    this.lookups.inc({ outcome: 'hit' });
    const now = new Date().toISOString();
    const latency = Math.max(0, Date.now() - Date.parse(request.created_at));
    const usage = hit.usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    await this.events.publish(Topics.usage, {
      request_id: request.request_id,
      attempt,
      tenant_id: request.tenant_id,
      user_id: request.user_id,
      feature: request.feature,
      model: hit.model,
      provider: 'cache',
      source: 'cache',
      status: 'succeeded',
      tokens_in: usage.prompt_tokens,
      tokens_out: usage.completion_tokens,
      cost_micros: 0,
      latency_ms: latency,
      occurred_at: now,
    });
    await this.results.publish({
      ...resultIdentity(request),
      status: 'succeeded',
      source: 'cache',
      model: hit.model,
      provider: 'cache',
      cache_key: key,
      response: { ...hit, id: `chatcmpl-${request.request_id}`, created: Math.floor(Date.now() / 1000) },
      usage,
      cost_micros: 0,
      latency_ms: latency,
      attempt,
      fallback_used: false,
      completed_at: now,
    });
  }
}
