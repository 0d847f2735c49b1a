import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { Headers, Topics, type LlmResultV1, type UsageV1 } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { LOGGER } from '@llm/service-runtime';
import { MetricsRegistry, type Logger } from '@llm/telemetry';
import type { Counter } from 'prom-client';

/**
 * Marks a hit's result as recorded at ingress already: the status hash holds its outcome and the caller's
 * controller frees the in-flight slot, so ingress's own results consumer skips it unread (skipOwnHits).
 */
export const RECORDED_HERE: Readonly<Record<string, string>> = { [Headers.outcomeRecordedBy]: 'ingress' };

/**
 * Whether ingress's results consumer has work to do for a message: not for a hit ingress answered and recorded
 * itself (RECORDED_HERE), which every ingress instance can tell from the header alone, before decoding.
 */
export function needsOutcomeRecording(message: { headers: Readonly<Record<string, string>> }): boolean {
  return message.headers[Headers.outcomeRecordedBy] !== 'ingress';
}

/**
 * Records a hit ingress answered itself: the result on llm.results.v1 (status records, evaluator, reply topics)
 * and its zero-cost usage on llm.usage.v1 (the ledger). The caller already has its answer, so nothing here is
 * on its path: the sends are not awaited (the producer batches them with everything else). A send that fails is
 * counted and logged (ids only, never the prompt), not retried: what a crash or a failure can lose is a
 * zero-cost row and an evaluator sample, never money or the caller's answer (ADR 0008). Shutdown waits for the
 * sends in flight before the producer disconnects (it disconnects at onApplicationShutdown, after this hook).
 */
@Injectable()
export class CacheHitRecorder implements BeforeApplicationShutdown {
  private readonly failures: Counter<'topic'>;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly events: EventPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: MetricsRegistry,
  ) {
    this.failures = metrics.counter('ingress_cache_hit_records_failed_total', 'Fast-path cache hits whose result or usage event could not be published', ['topic']);
  }

  record(result: LlmResultV1, usage: UsageV1): void {
    this.track(this.send(Topics.usage, () => this.events.publish(Topics.usage, usage), result));
    this.track(this.send(Topics.results, () => this.events.publish(Topics.results, result, { headers: RECORDED_HERE }), result));
  }

  /** Resolves once every send started so far has settled. */
  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  private async send(topic: string, publish: () => Promise<void>, result: LlmResultV1): Promise<void> {
    try {
      await publish();
    } catch (err) {
      this.failures.inc({ topic });
      this.logger.error({ err, topic, request_id: result.request_id, tenant_id: result.tenant_id }, 'could not record a cache hit answered by ingress');
    }
  }

  private track(sending: Promise<void>): void {
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }
}
