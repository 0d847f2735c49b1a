import { Inject, Injectable } from '@nestjs/common';
import type { LlmResultV1 } from '@llm/contracts';
import { MetricsRegistry } from '@llm/telemetry';
import type { Counter } from 'prom-client';
import { EVALUATOR_CONFIG, type EvaluatorConfig } from '../../../config/evaluator.config';
import { EvaluationStoreRepository } from '../../evaluation-store.repository';
import { EvaluationRepository } from '../../evaluation.repository';
import { SAMPLER } from '../../evaluation.tokens';
import { costVerdict, latencyVerdict } from '../../judges/budget.judge';
import { JsonValidityJudge } from '../../judges/json-validity.judge';
import type { JudgeVerdict } from '../../judges/judge.types';
import type { Sampler } from '../../sampling/sampler';
import { VerdictRecorder } from '../../verdict.recorder';
import { JudgeSampleUseCase } from '../judge-sample/judge-sample.use-case';
import type { RecordResultCommand } from './record-result.command';

/**
 * Counts each result once per request id and, for sampled requests, runs the judges a result alone allows
 * (JSON validity, latency, cost), stores the result half of the sample, and judges the pair when the request
 * half is already there. Delivery is at least once: the judges run on every delivery (their evaluation ids are
 * deterministic, so a repeat writes nothing new) and run before counting, so a failed write is retried instead
 * of lost behind the already-counted marker.
 */
@Injectable()
export class RecordResultUseCase {
  private readonly results: Counter<'status' | 'source'>;
  private readonly duplicates: Counter;
  private readonly jsonJudge = new JsonValidityJudge();

  constructor(
    @Inject(EvaluationRepository) private readonly repository: Pick<EvaluationRepository, 'recordOnce'>,
    @Inject(SAMPLER) private readonly sampler: Sampler,
    @Inject(VerdictRecorder) private readonly recorder: Pick<VerdictRecorder, 'record'>,
    @Inject(EvaluationStoreRepository) private readonly store: Pick<EvaluationStoreRepository, 'saveResultHalf'>,
    @Inject(JudgeSampleUseCase) private readonly judgeSample: Pick<JudgeSampleUseCase, 'execute'>,
    @Inject(EVALUATOR_CONFIG) private readonly config: Pick<EvaluatorConfig, 'EVAL_LATENCY_TARGET_MS' | 'EVAL_COST_TARGET_MICROS'>,
    @Inject(MetricsRegistry) metrics: MetricsRegistry,
  ) {
    this.results = metrics.counter('evaluator_results_total', 'Results counted, once per request', ['status', 'source']);
    this.duplicates = metrics.counter('evaluator_duplicate_results_total', 'Redelivered results that were not counted again');
  }

  async execute(command: RecordResultCommand): Promise<void> {
    const { result } = command;
    if (this.sampler.isSampled(result.tenant_id, result.feature, result.request_id)) await this.evaluate(result);
    const isNew = await this.repository.recordOnce(command.tenantId, result.request_id, increments(result));
    if (isNew) this.results.inc({ status: result.status, source: result.source });
    else this.duplicates.inc();
  }

  private async evaluate(result: LlmResultV1): Promise<void> {
    const message = result.response?.choices[0]?.message;
    const content = message?.content;
    const verdicts: JudgeVerdict[] = [];
    if (this.jsonJudge.appliesTo(content)) verdicts.push(this.jsonJudge.judge(content));
    if (result.status === 'succeeded') {
      verdicts.push(latencyVerdict(result.latency_ms, this.config.EVAL_LATENCY_TARGET_MS), costVerdict(result.cost_micros, this.config.EVAL_COST_TARGET_MICROS));
    }
    await this.recorder.record(
      { tenantId: result.tenant_id, requestId: result.request_id, feature: result.feature, model: result.model, latencyMs: result.latency_ms, costMicros: result.cost_micros },
      verdicts,
    );
    await this.store.saveResultHalf(result.tenant_id, {
      requestId: result.request_id,
      ...(result.feature !== undefined ? { feature: result.feature } : {}),
      status: result.status,
      source: result.source,
      ...(result.model !== undefined ? { model: result.model } : {}),
      answer: message?.refusal ? `${content ?? ''}\n${message.refusal}`.trim() : (content ?? null),
      latencyMs: result.latency_ms,
      costMicros: result.cost_micros,
      completedAt: new Date(result.completed_at),
    });
    await this.judgeSample.execute(result.tenant_id, result.request_id);
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
