import { Inject, Injectable } from '@nestjs/common';
import type { LlmResultV1 } from '@llm/contracts';
import { MetricsRegistry } from '@llm/telemetry';
import type { Counter } from 'prom-client';
import { EvaluationStoreRepository } from '../../evaluation-store.repository';
import { EVALUATOR_CONFIG, type EvaluatorConfig } from '../../../config/evaluator.config';
import { LLM_JUDGE_NAME, parseJudgeUpstreamId, parseJudgeVerdict } from '../../judges/llm-judge.prompt';
import { VerdictRecorder } from '../../verdict.recorder';

/**
 * The LLM-as-judge's answer, back from the platform: recorded as the judged request's `grounding_llm` verdict.
 * A grader answer that is not a verdict (a weak or simulated grader model) is counted, never turned into a
 * score; so is a judge request the platform did not answer.
 */
@Injectable()
export class RecordJudgeVerdictUseCase {
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    private readonly store: EvaluationStoreRepository,
    private readonly recorder: VerdictRecorder,
    @Inject(EVALUATOR_CONFIG) private readonly config: Pick<EvaluatorConfig, 'EVAL_JUDGE_TENANT'>,
    @Inject(MetricsRegistry) metrics: MetricsRegistry,
  ) {
    this.outcomes = metrics.counter('evaluator_llm_judge_results_total', 'LLM-as-judge answers back from the platform', ['outcome']);
  }

  async execute(result: LlmResultV1): Promise<void> {
    // Only the judge tenant's answers count: any other tenant could name its own upstream ids `judge:...`.
    const judged = result.tenant_id === this.config.EVAL_JUDGE_TENANT ? parseJudgeUpstreamId(result.upstream_id) : undefined;
    if (!judged) {
      this.outcomes.inc({ outcome: 'foreign' });
      return;
    }
    if (result.status !== 'succeeded') {
      this.outcomes.inc({ outcome: 'failed' });
      return;
    }
    const verdict = parseJudgeVerdict(result.response?.choices[0]?.message.content);
    if (!verdict) {
      this.outcomes.inc({ outcome: 'unparseable' });
      return;
    }
    const sample = await this.store.findSample(judged.tenantId, judged.requestId);
    await this.recorder.record(
      {
        tenantId: judged.tenantId,
        requestId: judged.requestId,
        feature: sample?.feature,
        model: sample?.model,
        ...(sample ? { latencyMs: sample.latencyMs, costMicros: sample.costMicros } : {}),
      },
      [{ judge: LLM_JUDGE_NAME, score: verdict.score, passed: verdict.supported, details: `graded by ${result.model ?? 'the judge model'}` }],
    );
    this.outcomes.inc({ outcome: 'verdict' });
  }
}
