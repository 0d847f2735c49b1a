import { Inject, Injectable, Optional } from '@nestjs/common';
import { afterCacheMiss, cacheHitOutcome, ExactCacheReader } from '@llm/cache-key';
import { Topics, type LlmRequestV1 } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { expiredResult, isExpired, ResultPublisher } from '@llm/result-stream';
import { MetricsRegistry } from '@llm/telemetry';
import type { Counter } from 'prom-client';
import { LookupSemanticCommand } from '../../../semantic-cache/use-cases/lookup-semantic/lookup-semantic.command';
import { LookupSemanticUseCase } from '../../../semantic-cache/use-cases/lookup-semantic/lookup-semantic.use-case';
import type { LookupRequestCommand } from './lookup-request.command';

/**
 * Answers an exact hit at once (zero cost, still recorded as usage so the ledger and evaluator see every
 * request); sends a miss on to retrieval (RAG requests) or routing, carrying the key for the write-back. A
 * request the temperature policy keeps out of the cache is passed on without a key, so its answer is never
 * stored. A request past its deadline ends here as EXPIRED and goes no further. Policy, key, read and the hit's
 * result and usage come from libs/cache-key, the same code ingress's fast path runs.
 */
@Injectable()
export class LookupRequestUseCase {
  private readonly lookups: Counter<'outcome'>;

  constructor(
    @Inject(ExactCacheReader) private readonly cache: Pick<ExactCacheReader, 'keyFor' | 'find'>,
    private readonly events: EventPublisher,
    @Inject(ResultPublisher) private readonly results: Pick<ResultPublisher, 'publish'>,
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
    const key = request.cache === 'off' ? undefined : this.cache.keyFor(request);
    if (key === undefined) {
      this.lookups.inc({ outcome: 'bypass' });
      await this.forward(request);
      return;
    }
    // `cache: refresh` skips both lookups; the key still travels so the fresh answer is stored.
    const completion = request.cache === 'refresh' ? undefined : await this.cache.find(request.tenant_id, key);
    if (!completion) {
      this.lookups.inc({ outcome: 'miss' });
      if (await this.semantic?.execute(LookupSemanticCommand.create(request, attempt), now)) return;
      await this.forward(request, key);
      return;
    }
    this.lookups.inc({ outcome: 'hit' });
    const { result, usage } = cacheHitOutcome(request, { key, completion }, attempt, now);
    // Usage and result in one produce request; the caller is told once both are acknowledged.
    const usageSent = this.events.publish(Topics.usage, usage);
    await Promise.all([usageSent, this.results.publish(result, usageSent)]);
  }

  private async forward(request: LlmRequestV1, cacheKey?: string): Promise<void> {
    const next = afterCacheMiss(request, cacheKey);
    await this.events.publish(next.topic, next.message);
  }
}
