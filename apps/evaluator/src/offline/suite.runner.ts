import { buildReport, summarise, type RunReport, type RunRow } from '../reports/report.model';
import { compareWithBaseline } from './baseline';
import { caseMessages, CaseJudge } from './case-judge';
import type { PlatformClient } from './platform.client';
import type { LoadedSuite } from './suite.loader';

export interface SuiteRunOptions {
  runId: string;
  /** Overrides the suite's model or route (e.g. a candidate). */
  model?: string;
  judgeModel: string;
  now?: Date;
}

/** Sends every case through the platform (a few at a time), judges the answers and compares with the baseline. */
export async function runSuite(suite: LoadedSuite, client: PlatformClient, options: SuiteRunOptions): Promise<RunReport> {
  const { manifest } = suite;
  const model = options.model ?? manifest.model;
  const judge = new CaseJudge(client, options.judgeModel);
  const rows: RunRow[] = new Array(suite.cases.length);
  let next = 0;
  const worker = async () => {
    while (next < suite.cases.length) {
      const i = next++;
      const c = suite.cases[i]!;
      const answer = await client.complete(
        {
          model,
          messages: caseMessages(c, manifest.simulated),
          temperature: 0,
          ...(c.max_tokens !== undefined ? { max_tokens: c.max_tokens } : {}),
          ...(c.response_format !== undefined ? { response_format: c.response_format } : {}),
        },
        { feature: `eval-${manifest.name}`, priority: manifest.priority },
      );
      const { primary, extra } = await judge.judge(c, answer);
      rows[i] = {
        case_id: c.id,
        variant: model,
        model: answer.model,
        route: model,
        scores: Object.fromEntries([primary, ...extra].map((v) => [v.judge, { score: v.score, passed: v.passed, details: v.details }])),
        passed: primary.passed,
        latency_ms: answer.latencyMs,
        cost_micros: answer.costMicros,
        ...(answer.error ? { error: answer.error } : {}),
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(manifest.concurrency, suite.cases.length) }, worker));
  const now = options.now ?? new Date();
  const baseline = suite.baseline && suite.baseline.version === manifest.version ? compareWithBaseline(summarise('all', rows), suite.baseline, manifest.tolerance) : undefined;
  return buildReport(
    {
      run_id: options.runId,
      kind: 'offline',
      title: `Suite ${manifest.name} v${manifest.version} against ${model}`,
      suite: manifest.name,
      suite_version: manifest.version,
      created_at: now.toISOString(),
      ...(baseline ? { baseline } : {}),
    },
    rows,
  );
}
