import { summarise, type RunRow } from '../reports/report.model';
import { baselineFrom, compareWithBaseline } from './baseline';

const rows = (passed: boolean[]): RunRow[] =>
  passed.map((p, i) => ({
    case_id: `c${i}`,
    variant: 'sim-small',
    model: 'sim-small',
    route: null,
    scores: { contains: { score: p ? 1 : 0, passed: p } },
    passed: p,
    latency_ms: 10,
    cost_micros: 5,
  }));

describe('baseline comparison', () => {
  const baseline = baselineFrom(summarise('all', rows([true, true, true, true, true, true, true, true, true, true])), {
    suite: 's',
    version: 1,
    model: 'sim-small',
    runId: 'r0',
    now: new Date(0),
  });

  it('is within tolerance for a drop no larger than the tolerance', () => {
    const current = summarise('all', rows([true, true, true, true, true, true, true, true, true, false]));
    expect(compareWithBaseline(current, baseline, 0.1).regressed).toBe(false);
  });

  it('regresses beyond the tolerance, naming the metrics', () => {
    const result = compareWithBaseline(summarise('all', rows([true, true, true, true, true, true, true, true, false, false])), baseline, 0.1);
    expect(result.regressed).toBe(true);
    expect(result.items.filter((i) => i.regressed).map((i) => i.metric)).toEqual(['pass_rate', 'contains.pass_rate', 'contains.mean_score']);
  });

  it('counts a judge that no longer runs as a regression, and never fails on cost or latency', () => {
    const noJudge = summarise(
      'all',
      rows([true]).map((r) => ({ ...r, scores: {}, cost_micros: 1_000_000, latency_ms: 60_000 })),
    );
    const result = compareWithBaseline(noJudge, baseline, 0.05);
    expect(result.items.filter((i) => i.regressed).map((i) => i.metric)).toEqual(['contains.pass_rate', 'contains.mean_score']);
  });
});
