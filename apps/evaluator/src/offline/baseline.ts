import type { BaselineComparison, GroupSummary } from '../reports/report.model';
import type { SuiteBaseline } from './suite.schema';

/**
 * A run regresses when its overall pass rate, or any judge's pass rate or mean score, falls more than the
 * tolerance below the baseline. Cost and latency are shown next to it but never fail a run: they depend on
 * the machine and the load, quality does not.
 */
export function compareWithBaseline(current: GroupSummary, baseline: SuiteBaseline, tolerance: number): BaselineComparison {
  const items: BaselineComparison['items'] = [];
  const add = (metric: string, base: number, now: number, gated: boolean) => {
    const delta = round(now - base);
    items.push({ metric, baseline: base, current: now, delta, regressed: gated && delta < -tolerance - 1e-9 });
  };
  add('pass_rate', baseline.pass_rate, current.pass_rate, true);
  for (const [judge, b] of Object.entries(baseline.judges)) {
    const now = current.judges[judge];
    add(`${judge}.pass_rate`, b.pass_rate, now?.pass_rate ?? 0, true);
    add(`${judge}.mean_score`, b.mean_score, now?.mean_score ?? 0, true);
  }
  add('cost_per_request_micros', baseline.cost_per_request_micros, current.cost_per_request_micros, false);
  add('latency_p95_ms', baseline.latency_p95_ms, current.latency_ms.p95, false);
  return { tolerance, baseline_version: baseline.version, items, regressed: items.some((i) => i.regressed) };
}

export function baselineFrom(summary: GroupSummary, meta: { suite: string; version: number; model: string; runId: string; now: Date }): SuiteBaseline {
  return {
    suite: meta.suite,
    version: meta.version,
    model: meta.model,
    pass_rate: summary.pass_rate,
    judges: Object.fromEntries(Object.entries(summary.judges).map(([j, s]) => [j, { pass_rate: s.pass_rate, mean_score: s.mean_score }])),
    cost_per_request_micros: summary.cost_per_request_micros,
    latency_p95_ms: summary.latency_ms.p95,
    recorded_at: meta.now.toISOString(),
    run_id: meta.runId,
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
