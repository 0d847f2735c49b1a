import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LevelResult } from '../levels';
import type { BenchReport } from './table';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

interface Series {
  label: string;
  data: { x: number; y: number }[];
}

function series(levels: readonly LevelResult[], y: (l: LevelResult) => number | undefined): Series[] {
  const bySystem = new Map<string, { x: number; y: number }[]>();
  for (const l of levels) {
    if (l.mode !== 'open' || l.targetRate === undefined) continue;
    const v = y(l);
    if (v === undefined || Number.isNaN(v)) continue;
    bySystem.set(l.system, [...(bySystem.get(l.system) ?? []), { x: l.targetRate, y: v }]);
  }
  return [...bySystem].map(([label, data]) => ({ label, data }));
}

/** A self-contained page (chart.js inlined from node_modules, so it opens offline) with the run's curves. */
export function renderHtml(report: BenchReport, text: string, root: string): string {
  const chartJs = readFileSync(join(root, 'node_modules/chart.js/dist/chart.umd.min.js'), 'utf8');
  const charts = [
    { id: 'p99', title: 'p99 latency (ms; TTFT for streams) vs offered rate', data: series(report.levels, (l) => (l.ttft ?? l.latency).p99), logY: true },
    { id: 'p50', title: 'p50 latency (ms; TTFT for streams) vs offered rate', data: series(report.levels, (l) => (l.ttft ?? l.latency).p50), logY: true },
    { id: 'added', title: 'p99 added latency over direct (ms) vs offered rate', data: series(report.levels, (l) => l.added?.p99), logY: false },
    { id: 'achieved', title: 'achieved req/s vs offered rate', data: series(report.levels, (l) => l.achievedRate), logY: false },
    { id: 'cpu', title: 'CPU seconds per 1,000 requests (all processes) vs offered rate', data: series(report.levels, (l) => l.cpuSPer1kTotal), logY: false },
  ];
  const config = charts.map((c) => ({
    id: c.id,
    title: c.title,
    logY: c.logY,
    datasets: c.data.map((s, i) => ({ label: s.label, data: s.data, borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length], showLine: true })),
  }));
  // `<` escaped so report strings can never close the script element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>bench:pipeline ${report.startedAt}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1200px}canvas{margin-bottom:32px}pre{font-size:11px;overflow-x:auto;background:#f6f6f6;padding:12px}</style>
<script>${chartJs}</script></head>
<body><h1>bench:pipeline</h1><p>${report.startedAt}, ${report.machine.cpus} CPUs, Node ${report.machine.node}</p>
${charts.map((c) => `<h2>${c.title}</h2><canvas id="${c.id}" height="110"></canvas>`).join('\n')}
<h2>Table</h2><pre>${escaped}</pre>
<script>
const charts = ${json};
for (const c of charts) {
  new Chart(document.getElementById(c.id), {
    type: 'scatter',
    data: { datasets: c.datasets },
    options: { scales: { x: { type: 'logarithmic', title: { display: true, text: 'offered req/s' } }, y: { type: c.logY ? 'logarithmic' : 'linear' } }, plugins: { title: { display: false } } },
  });
}
</script></body></html>
`;
}
