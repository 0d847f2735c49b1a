import { Inject, Injectable } from '@nestjs/common';
import type { InferenceRequestV1 } from '@llm/contracts';
import { EvaluationStoreRepository } from '../../evaluation-store.repository';
import { SAMPLER } from '../../evaluation.tokens';
import type { ContextChunk } from '../../judges/judge.types';
import type { Sampler } from '../../sampling/sampler';
import { JudgeSampleUseCase } from '../judge-sample/judge-sample.use-case';

/**
 * The request half of a sampled exchange, from llm.inference.v1: the body (question, response format) and the
 * retrieved context the answer should be grounded in. Only what the judges read is kept of the context.
 */
@Injectable()
export class RecordRequestUseCase {
  constructor(
    @Inject(SAMPLER) private readonly sampler: Sampler,
    private readonly store: EvaluationStoreRepository,
    private readonly judgeSample: JudgeSampleUseCase,
  ) {}

  async execute(request: InferenceRequestV1): Promise<void> {
    if (!this.sampler.isSampled(request.tenant_id, request.feature, request.request_id)) return;
    const context: ContextChunk[] = request.context.map((c) => ({ id: c.chunk_id, documentId: c.document_id, text: c.text }));
    await this.store.saveRequestHalf(request.tenant_id, {
      requestId: request.request_id,
      ...(request.feature !== undefined ? { feature: request.feature } : {}),
      body: request.body,
      context,
      rag: request.rag !== undefined,
      route: `${request.plan.policy}: ${request.plan.reason}`.slice(0, 256),
    });
    await this.judgeSample.execute(request.tenant_id, request.request_id);
  }
}
