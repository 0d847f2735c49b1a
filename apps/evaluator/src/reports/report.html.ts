import type { RunIndexEntry, RunReport } from './report.model';

const CHARTS_RUN = [
  ['chart-quality', 'Quality: mean score per judge and variant'],
  ['chart-models', 'Quality per answering model'],
  ['chart-cost', 'Cost per request, per variant and model'],
  ['chart-latency', 'Latency percentiles per variant'],
] as const;

const CHARTS_INDEX = [
  ['chart-trend-quality', 'Pass rate over runs'],
  ['chart-trend-cost', 'Cost per request over runs'],
  ['chart-trend-latency', 'p95 latency over runs'],
] as const;

/** One run's page. `assets` is the relative path to the shared assets folder. */
export function renderRunPage(report: RunReport, assets = '../assets'): string {
  const variants = report.variants
    .map(
      (v) =>
        `<tr><td>${esc(v.name)}</td><td>${v.requests}</td><td>${v.errors}</td><td>${pct(v.pass_rate)}</td><td>${v.cost_per_request_micros}</td>` +
        `<td>${v.latency_ms.p50}</td><td>${v.latency_ms.p95}</td><td>${v.latency_ms.p99}</td></tr>`,
    )
    .join('');
  const baseline = report.baseline
    ? `<h2>Against the baseline (suite version ${report.baseline.baseline_version}, tolerance ${report.baseline.tolerance})</h2>
<p class="${report.baseline.regressed ? 'fail' : 'ok'}">${report.baseline.regressed ? 'REGRESSED' : 'within tolerance'}</p>
<table><tr><th>metric</th><th>baseline</th><th>this run</th><th>delta</th><th></th></tr>${report.baseline.items
        .map(
          (i) =>
            `<tr><td>${esc(i.metric)}</td><td>${i.baseline}</td><td>${i.current}</td><td>${i.delta}</td><td class="${i.regressed ? 'fail' : 'ok'}">${i.regressed ? 'regressed' : 'ok'}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  const rows = report.rows
    .map(
      (r) =>
        `<tr><td>${esc(r.case_id)}</td><td>${esc(r.variant)}</td><td>${esc(r.model ?? '')}</td><td class="${r.passed ? 'ok' : 'fail'}">${r.passed ? 'pass' : 'fail'}</td>` +
        `<td>${Object.entries(r.scores)
          .map(([j, s]) => `${esc(j)}=${s.score}`)
          .join(', ')}</td><td>${r.latency_ms}</td><td>${r.cost_micros}</td><td>${esc(r.error ?? '')}</td></tr>`,
    )
    .join('');
  return page(
    report.title,
    assets,
    { page: 'run', report },
    `<p><a href="../index.html">All runs</a> · <a href="report.json">report.json</a> · ${esc(report.kind)} run ${esc(report.run_id)} · ${esc(report.created_at)}</p>
${baseline}
<div class="grid">${CHARTS_RUN.map(([id, title]) => chartBox(id, title)).join('')}</div>
<h2>Variants</h2>
<table><tr><th>variant</th><th>requests</th><th>errors</th><th>pass rate</th><th>cost/request (µ$)</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th></tr>${variants}</table>
<h2>Cases</h2>
<table><tr><th>case</th><th>variant</th><th>model</th><th>verdict</th><th>scores</th><th>latency ms</th><th>cost µ$</th><th>error</th></tr>${rows}</table>`,
  );
}

export function renderIndexPage(runs: readonly RunIndexEntry[], assets = 'assets'): string {
  const sorted = [...runs].sort((a, b) => b.created_at.localeCompare(a.created_at));
  const rows = sorted
    .map(
      (r) =>
        `<tr><td><a href="${encodeURIComponent(r.run_id)}/index.html">${esc(r.run_id)}</a></td><td>${esc(r.kind)}</td><td>${esc(r.suite ?? '')}</td><td>${esc(r.variant)}</td><td>${esc(r.created_at)}</td>` +
        `<td>${r.requests}</td><td>${pct(r.pass_rate)}</td><td>${r.cost_per_request_micros}</td><td>${r.latency_p95_ms}</td>` +
        `<td class="${r.regressed ? 'fail' : 'ok'}">${r.regressed === undefined ? '' : r.regressed ? 'regressed' : 'ok'}</td></tr>`,
    )
    .join('');
  return page(
    'Evaluation runs',
    assets,
    { page: 'index', runs: sorted },
    `<p><a href="index.json">index.json</a></p>
<div class="grid">${CHARTS_INDEX.map(([id, title]) => chartBox(id, title)).join('')}</div>
<h2>Runs</h2>
<table><tr><th>run</th><th>kind</th><th>suite</th><th>variant</th><th>created</th><th>requests</th><th>pass rate</th><th>cost/request (µ$)</th><th>p95 ms</th><th>baseline</th></tr>${rows}</table>`,
  );
}

function page(title: string, assets: string, data: unknown, body: string): string {
  // JSON inside <script>: escaping "<" keeps any "</script>" in the data from closing the element.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${esc(title)}</title>
<link rel="stylesheet" href="${assets}/report.css"></head>
<body><h1>${esc(title)}</h1>
${body}
<script type="application/json" id="report-data">${json}</script>
<script src="${assets}/chart.umd.min.js"></script>
<script src="${assets}/report.js"></script>
</body></html>
`;
}

function chartBox(id: string, title: string): string {
  return `<figure><figcaption>${esc(title)}</figcaption><div class="chart"><canvas id="${id}"></canvas></div></figure>`;
}

function pct(n: number): string {
  return `${Math.round(n * 1000) / 10}%`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
