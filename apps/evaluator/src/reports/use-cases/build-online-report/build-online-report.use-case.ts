import { Inject, Injectable } from '@nestjs/common';
import { EvaluationStoreRepository } from '../../../evaluation/evaluation-store.repository';
import { buildReport, type RunReport, type RunRow } from '../../report.model';
import { ReportWriter } from '../../report.writer';
import type { BuildOnlineReportCommand } from './build-online-report.command';

/** Judges that score the answer's quality; latency and cost are reported as numbers, not as pass/fail. */
const BUDGET_JUDGES = new Set(['latency', 'cost']);

/** A report of one tenant's online verdicts: one row per sampled request, variants by answering model. */
@Injectable()
export class BuildOnlineReportUseCase {
  constructor(
    private readonly store: EvaluationStoreRepository,
    @Inject(ReportWriter) private readonly writer: ReportWriter,
  ) {}

  async execute(command: BuildOnlineReportCommand, now = new Date()): Promise<RunReport> {
    const since = new Date(now.getTime() - command.hours * 3_600_000);
    const evaluations = await this.store.findEvaluationsSince(command.tenantId, since);
    const byRequest = new Map<string, RunRow>();
    for (const e of evaluations) {
      const row = byRequest.get(e.requestId) ?? {
        case_id: e.requestId,
        variant: e.model ?? '(none)',
        model: e.model ?? null,
        route: null,
        scores: {},
        passed: true,
        latency_ms: e.latencyMs ?? 0,
        cost_micros: e.costMicros ?? 0,
      };
      row.scores[e.judge] = { score: e.score, passed: e.passed };
      if (!BUDGET_JUDGES.has(e.judge) && !e.passed) row.passed = false;
      byRequest.set(e.requestId, row);
    }
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    const report = buildReport(
      { run_id: `online-${command.tenantId}-${stamp}`, kind: 'online', title: `Online evaluations of ${command.tenantId}, last ${command.hours} h`, created_at: now.toISOString() },
      [...byRequest.values()],
    );
    this.writer.write(report);
    return report;
  }
}
