import { buildReport, indexEntry, percentiles, type RunRow } from './report.model';

const row = (over: Partial<RunRow>): RunRow => ({
  case_id: 'c',
  variant: 'sim-small',
  model: 'sim-small',
  route: null,
  scores: {},
  passed: true,
  latency_ms: 100,
  cost_micros: 10,
  ...over,
});

describe('report model', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentiles(values)).toEqual({ p50: 50, p95: 95, p99: 99, mean: 51 });
    expect(percentiles([])).toEqual({ p50: 0, p95: 0, p99: 0, mean: 0 });
  });

  it('summarises per variant and per answering model: pass rates, judge means, cost per request, latency without errors', () => {
    const report = buildReport({ run_id: 'r1', kind: 'shadow', title: 't', created_at: '2026-12-03T00:00:00.000Z' }, [
      row({ variant: 'baseline', scores: { grounding_lexical: { score: 1, passed: true } }, cost_micros: 30 }),
      row({ variant: 'baseline', scores: { grounding_lexical: { score: 0.5, passed: false } }, passed: false, cost_micros: 10 }),
      row({ variant: 'candidate', model: 'sim-large', scores: { grounding_lexical: { score: 1, passed: true } }, latency_ms: 900, cost_micros: 200 }),
      row({ variant: 'candidate', model: null, error: '503', passed: false, latency_ms: 30_000, cost_micros: 0 }),
    ]);
    const [baseline, candidate] = report.variants;
    expect(baseline).toMatchObject({
      name: 'baseline',
      requests: 2,
      pass_rate: 0.5,
      cost_per_request_micros: 20,
      judges: { grounding_lexical: { mean_score: 0.75, pass_rate: 0.5, n: 2 } },
    });
    expect(candidate).toMatchObject({ name: 'candidate', errors: 1, pass_rate: 0.5, latency_ms: { p50: 900, p99: 900 } });
    expect(report.models.map((m) => m.name)).toEqual(['(none)', 'sim-large', 'sim-small']);
    expect(indexEntry(report)).toMatchObject({ run_id: 'r1', variant: 'baseline vs candidate', requests: 4, pass_rate: 0.5 });
  });
});
