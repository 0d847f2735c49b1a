import { Inject, Injectable } from '@nestjs/common';
import { Topics, type LlmResultV1 } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { MetricsRegistry } from '@llm/telemetry';
import type { Counter } from 'prom-client';
import { evaluationIdFor } from '../../evaluation-id.util';
import { EvaluationRepository } from '../../evaluation.repository';
import { JsonValidityJudge } from '../../judges/json-validity.judge';
import type { RecordResultCommand } from './record-result.command';

/**
 * Counts each result once per request id and runs the online judges. Delivery is at least once: the judges run
 * on every delivery (their evaluation ids are deterministic, so a repeat is recognisable downstream) and run
 * before counting, so a failed publish is retried instead of lost behind the already-counted marker.
 */
@Injectable()
export class RecordResultUseCase {
  private readonly results: Counter<'status' | 'source'>;
  private readonly duplicates: Counter;
  private readonly jsonJudge = new JsonValidityJudge();

  constructor(
    @Inject(EvaluationRepository) private readonly repository: Pick<EvaluationRepository, 'recordOnce'>,
    private readonly events: EventPublisher,
    @Inject(MetricsRegistry) metrics: MetricsRegistry,
  ) {
    this.results = metrics.counter('evaluator_results_total', 'Results counted, once per request', ['status', 'source']);
    this.duplicates = metrics.counter('evaluator_duplicate_results_total', 'Redelivered results that were not counted again');
  }

  async execute(command: RecordResultCommand): Promise<void> {
    const { result } = command;
    await this.judge(result);
    const isNew = await this.repository.recordOnce(command.tenantId, result.request_id, increments(result));
    if (isNew) this.results.inc({ status: result.status, source: result.source });
    else this.duplicates.inc();
  }

  private async judge(result: LlmResultV1): Promise<void> {
    const content = result.response?.choices[0]?.message.content;
    if (!this.jsonJudge.appliesTo(content)) return;
    const verdict = this.jsonJudge.judge(content);
    await this.events.publish(Topics.evaluations, {
      evaluation_id: evaluationIdFor(result.request_id, verdict.judge),
      request_id: result.request_id,
      tenant_id: result.tenant_id,
      judge: verdict.judge,
      model: result.model,
      score: verdict.score,
      passed: verdict.passed,
      details: verdict.details,
      evaluated_at: new Date().toISOString(),
    });
  }
}

function increments(result: LlmResultV1): Record<string, number> {
  return {
    total: 1,
    [`status:${result.status}`]: 1,
    [`source:${result.source}`]: 1,
    ...(result.model ? { [`model:${result.model}`]: 1 } : {}),
    latency_ms_sum: result.latency_ms,
    cost_micros_sum: result.cost_micros,
  };
}
