import { Inject, Injectable } from '@nestjs/common';
import { chatRequestBody, Topics } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { MetricsRegistry } from '@llm/telemetry';
import type { Counter } from 'prom-client';
import { EVALUATOR_CONFIG, type EvaluatorConfig } from '../../../config/evaluator.config';
import { EvaluationStoreRepository, type JoinedSample } from '../../evaluation-store.repository';
import { ANSWER_JUDGES } from '../../evaluation.tokens';
import { lastUserText, type AnswerJudges } from '../../judges/answer-judges';
import { JsonValidityJudge } from '../../judges/json-validity.judge';
import { judgeMessages, judgeUpstreamId } from '../../judges/llm-judge.prompt';
import { isRefusal } from '../../judges/text.util';
import { VerdictRecorder } from '../../verdict.recorder';

/**
 * Judges a sampled exchange once both halves are stored (whichever arrives second runs this), with the judges
 * that need the request: schema conformance, lexical grounding, refusal. A grounded answer is also sent to the
 * LLM-as-judge, through the platform itself: an llm.inbound.v1 event of the platform's judge tenant in the
 * batch band, whose result comes back on llm.results.v1 (RecordJudgeVerdictUseCase).
 */
@Injectable()
export class JudgeSampleUseCase {
  private readonly judgeRequests: Counter;
  private readonly json = new JsonValidityJudge();

  constructor(
    private readonly store: EvaluationStoreRepository,
    private readonly recorder: VerdictRecorder,
    @Inject(ANSWER_JUDGES) private readonly judges: AnswerJudges,
    private readonly events: EventPublisher,
    @Inject(EVALUATOR_CONFIG) private readonly config: EvaluatorConfig,
    @Inject(MetricsRegistry) metrics: MetricsRegistry,
  ) {
    this.judgeRequests = metrics.counter('evaluator_llm_judge_requests_total', 'LLM-as-judge requests sent through the platform');
  }

  async execute(tenantId: string, requestId: string): Promise<void> {
    const sample = await this.store.claimJoined(tenantId, requestId);
    if (!sample) return;
    try {
      await this.judge(sample);
    } catch (err) {
      await this.store.releaseClaim(tenantId, requestId);
      throw err;
    }
  }

  private async judge(sample: JoinedSample): Promise<void> {
    if (sample.status !== 'succeeded') return;
    const body = chatRequestBody.safeParse(sample.body);
    if (!body.success) return;
    const question = lastUserText(body.data.messages);
    const verdicts = this.judges
      .run({ question, answer: sample.answer, context: sample.context, rag: sample.rag, responseFormat: body.data.response_format })
      // JSON-looking answers were already judged for validity from the result alone.
      .filter((v) => v.judge !== JsonValidityJudge.NAME || !this.json.appliesTo(sample.answer));
    await this.recorder.record(
      { tenantId: sample.tenantId, requestId: sample.requestId, feature: sample.feature, model: sample.model, latencyMs: sample.latencyMs, costMicros: sample.costMicros },
      verdicts,
    );
    if (this.config.EVAL_LLM_JUDGE && sample.answer && sample.context.length > 0 && !isRefusal(sample.answer)) {
      await this.events.publish(Topics.inbound, {
        request_id: judgeUpstreamId(sample.tenantId, sample.requestId),
        tenant_id: this.config.EVAL_JUDGE_TENANT,
        feature: 'llm-judge',
        priority: 'batch',
        body: {
          model: this.config.EVAL_JUDGE_MODEL,
          messages: judgeMessages(question, sample.answer, sample.context),
          temperature: 0,
          max_tokens: 128,
          response_format: { type: 'json_object' },
        },
      });
      this.judgeRequests.inc();
    }
  }
}
