import type { MetricsRegistry } from '@llm/telemetry';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { LATENCY_BUCKETS_S } from '@llm/telemetry';
import type { PartitionState } from '../consumer/partition-state';

export class ConsumerMetrics {
  private readonly processedTotal: Counter<'group' | 'topic' | 'outcome'>;
  private readonly duration: Histogram<'group' | 'topic'>;
  private readonly lagGauge: Gauge<'group' | 'topic' | 'partition'>;
  readonly priorityPauses: Counter<'topic'>;
  readonly forwardingStuck: Counter<'topic'>;

  constructor(
    registry: MetricsRegistry,
    private readonly group: string,
  ) {
    this.processedTotal = registry.counter('kafka_messages_processed_total', 'Messages handled, by outcome (ok, retried, dlq; skipped: refused by the topic prefilter unread)', [
      'group',
      'topic',
      'outcome',
    ]);
    this.duration = registry.histogram('kafka_handler_duration_seconds', 'Handler time per message (per call for batch handlers)', ['group', 'topic'], LATENCY_BUCKETS_S);
    this.lagGauge = registry.gauge('kafka_consumer_lag', 'High watermark minus committed offset', ['group', 'topic', 'partition']);
    this.priorityPauses = registry.counter('kafka_priority_pauses_total', 'Partitions paused because a higher band had a backlog', ['topic']);
    this.forwardingStuck = registry.counter('kafka_forwarding_stuck_total', 'Retry/DLQ copies that could not be written; their offsets stay uncommitted', ['topic']);
  }

  /** `seconds` undefined: a message of a batch, whose handler time is observed once per call (observeBatch). */
  processed(topic: string, outcome: string, seconds?: number, count = 1): void {
    this.processedTotal.inc({ group: this.group, topic, outcome }, count);
    if (seconds !== undefined) this.duration.observe({ group: this.group, topic }, seconds);
  }

  observeBatch(topic: string, seconds: number): void {
    this.duration.observe({ group: this.group, topic }, seconds);
  }

  lag(state: PartitionState): void {
    this.lagGauge.set({ group: this.group, topic: state.topic, partition: String(state.partition) }, state.lag);
  }
}
