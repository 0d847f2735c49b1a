/** One judged exchange of a run: a suite case, a replayed request, or a sampled online request. */
export interface RunRow {
  case_id: string;
  /** What is being compared: the requested model or route (offline), `baseline` / `candidate` (shadow). */
  variant: string;
  /** The model that actually answered (after routing and fallback). */
  model: string | null;
  route: string | null;
  scores: Record<string, { score: number; passed: boolean; details?: string }>;
  passed: boolean;
  latency_ms: number;
  cost_micros: number;
  error?: string;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

export interface GroupSummary {
  name: string;
  requests: number;
  errors: number;
  pass_rate: number;
  judges: Record<string, { mean_score: number; pass_rate: number; n: number }>;
  cost_per_request_micros: number;
  total_cost_micros: number;
  latency_ms: Percentiles;
}

export interface BaselineComparison {
  tolerance: number;
  baseline_version: number;
  items: Array<{ metric: string; baseline: number; current: number; delta: number; regressed: boolean }>;
  regressed: boolean;
}

export interface RunReport {
  run_id: string;
  kind: 'offline' | 'shadow' | 'online';
  title: string;
  suite?: string;
  suite_version?: number;
  created_at: string;
  /** Per variant (requested model or route, or shadow side). */
  variants: GroupSummary[];
  /** Per model that answered. */
  models: GroupSummary[];
  baseline?: BaselineComparison;
  rows: RunRow[];
}

/** The headline of a run as the index and its trends read it. */
export interface RunIndexEntry {
  run_id: string;
  kind: RunReport['kind'];
  title: string;
  suite?: string;
  /** The variants compared, joined: trends are drawn per suite and variant. */
  variant: string;
  created_at: string;
  requests: number;
  pass_rate: number;
  cost_per_request_micros: number;
  latency_p95_ms: number;
  regressed?: boolean;
}

export function summarise(name: string, rows: readonly RunRow[]): GroupSummary {
  const judges: GroupSummary['judges'] = {};
  for (const row of rows) {
    for (const [judge, s] of Object.entries(row.scores)) {
      const j = (judges[judge] ??= { mean_score: 0, pass_rate: 0, n: 0 });
      j.mean_score += s.score;
      j.pass_rate += s.passed ? 1 : 0;
      j.n += 1;
    }
  }
  for (const j of Object.values(judges)) {
    j.mean_score = round(j.mean_score / j.n);
    j.pass_rate = round(j.pass_rate / j.n);
  }
  const total = rows.reduce((a, r) => a + r.cost_micros, 0);
  return {
    name,
    requests: rows.length,
    errors: rows.filter((r) => r.error !== undefined).length,
    pass_rate: rows.length ? round(rows.filter((r) => r.passed).length / rows.length) : 0,
    judges,
    cost_per_request_micros: rows.length ? Math.round(total / rows.length) : 0,
    total_cost_micros: total,
    latency_ms: percentiles(rows.filter((r) => r.error === undefined).map((r) => r.latency_ms)),
  };
}

export function buildReport(meta: Omit<RunReport, 'variants' | 'models' | 'rows'>, rows: RunRow[]): RunReport {
  return { ...meta, variants: groupBy(rows, (r) => r.variant), models: groupBy(rows, (r) => r.model ?? '(none)'), rows };
}

export function indexEntry(report: RunReport): RunIndexEntry {
  const all = summarise('all', report.rows);
  return {
    run_id: report.run_id,
    kind: report.kind,
    title: report.title,
    ...(report.suite !== undefined ? { suite: report.suite } : {}),
    variant: report.variants.map((v) => v.name).join(' vs '),
    created_at: report.created_at,
    requests: all.requests,
    pass_rate: all.pass_rate,
    cost_per_request_micros: all.cost_per_request_micros,
    latency_p95_ms: all.latency_ms.p95,
    ...(report.baseline ? { regressed: report.baseline.regressed } : {}),
  };
}

/** Nearest-rank percentiles. */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { p50: 0, p95: 0, p99: 0, mean: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: at(50), p95: at(95), p99: at(99), mean: Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length) };
}

function groupBy(rows: readonly RunRow[], key: (r: RunRow) => string): GroupSummary[] {
  const groups = new Map<string, RunRow[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, g]) => summarise(name, g));
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
