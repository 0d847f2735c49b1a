import { Injectable } from '@nestjs/common';
import { Topics } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { evaluationIdFor } from './evaluation-id.util';
import { EvaluationStoreRepository, type EvaluationRow } from './evaluation-store.repository';
import type { JudgeVerdict } from './judges/judge.types';

export interface VerdictSubject {
  tenantId: string;
  requestId: string;
  feature?: string | null;
  model?: string | null;
  latencyMs?: number;
  costMicros?: number;
}

/**
 * Where every online verdict goes: Postgres (for reports and queries) and llm.evaluations.v1 (for whoever
 * subscribes). Both are idempotent on the evaluation id, derived from (request id, judge), so a redelivery
 * that judges again writes nothing new and publishes a recognisable repeat.
 */
@Injectable()
export class VerdictRecorder {
  constructor(
    private readonly store: EvaluationStoreRepository,
    private readonly events: EventPublisher,
  ) {}

  async record(subject: VerdictSubject, verdicts: readonly JudgeVerdict[], now = new Date()): Promise<void> {
    if (verdicts.length === 0) return;
    const rows: EvaluationRow[] = verdicts.map((v) => ({
      evaluationId: evaluationIdFor(subject.requestId, v.judge),
      requestId: subject.requestId,
      judge: v.judge,
      ...(subject.feature ? { feature: subject.feature } : {}),
      ...(subject.model ? { model: subject.model } : {}),
      score: v.score,
      passed: v.passed,
      details: v.details,
      ...(subject.latencyMs !== undefined ? { latencyMs: subject.latencyMs } : {}),
      ...(subject.costMicros !== undefined ? { costMicros: subject.costMicros } : {}),
      evaluatedAt: now,
    }));
    await this.store.saveEvaluations(subject.tenantId, rows);
    for (const row of rows) {
      await this.events.publish(Topics.evaluations, {
        evaluation_id: row.evaluationId,
        request_id: row.requestId,
        tenant_id: subject.tenantId,
        judge: row.judge,
        ...(row.model ? { model: row.model } : {}),
        score: row.score,
        passed: row.passed,
        ...(row.details ? { details: row.details } : {}),
        evaluated_at: now.toISOString(),
      });
    }
  }
}
