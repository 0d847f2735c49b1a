/**
 * The browser side of the reports, written next to them as assets/report.js: reads the page's embedded JSON and
 * draws its charts with Chart.js (assets/chart.umd.min.js, copied from the npm package: reports open offline).
 * Kept as plain ES2017 text so it runs as is in any current browser.
 */
export const REPORT_CLIENT_JS = String.raw`(function () {
  'use strict';
  var COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var drawn = 0;
  function color(i) { return COLORS[i % COLORS.length]; }
  function chart(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options || {});
    new Chart(canvas, config);
    drawn += 1;
  }
  function bars(labels, datasets, yTitle, max) {
    return {
      type: 'bar',
      data: { labels: labels, datasets: datasets.map(function (d, i) { return Object.assign({ backgroundColor: color(i) }, d); }) },
      options: { scales: { y: { beginAtZero: true, max: max, title: { display: true, text: yTitle } } } },
    };
  }
  function lines(labels, datasets, yTitle) {
    return {
      type: 'line',
      data: { labels: labels, datasets: datasets.map(function (d, i) { return Object.assign({ borderColor: color(i), backgroundColor: color(i), spanGaps: true }, d); }) },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: yTitle } } } },
    };
  }
  if (data.page === 'run') {
    var r = data.report;
    var judges = [];
    r.variants.forEach(function (v) { Object.keys(v.judges).forEach(function (j) { if (judges.indexOf(j) < 0) judges.push(j); }); });
    judges.sort();
    chart('chart-quality', bars(judges, r.variants.map(function (v) {
      return { label: v.name, data: judges.map(function (j) { return v.judges[j] ? v.judges[j].mean_score : null; }) };
    }), 'mean score', 1));
    chart('chart-models', bars(r.models.map(function (m) { return m.name; }), [
      { label: 'pass rate', data: r.models.map(function (m) { return m.pass_rate; }) },
    ], 'share of cases passed', 1));
    chart('chart-cost', bars(r.variants.map(function (v) { return v.name; }).concat(r.models.map(function (m) { return 'model ' + m.name; })), [
      { label: 'cost per request (micro-dollars)', data: r.variants.concat(r.models).map(function (g) { return g.cost_per_request_micros; }) },
    ], 'micro-dollars'));
    chart('chart-latency', bars(r.variants.map(function (v) { return v.name; }), ['p50', 'p95', 'p99'].map(function (p) {
      return { label: p, data: r.variants.map(function (v) { return v.latency_ms[p]; }) };
    }), 'ms'));
  } else {
    var runs = data.runs.slice().sort(function (a, b) { return a.created_at < b.created_at ? -1 : 1; });
    var labels = runs.map(function (e) { return e.created_at.slice(0, 16).replace('T', ' '); });
    var series = [];
    function seriesOf(e) { return (e.suite || e.kind) + ' · ' + e.variant; }
    runs.forEach(function (e) { var s = seriesOf(e); if (series.indexOf(s) < 0) series.push(s); });
    function trend(field) {
      return series.map(function (s) {
        return { label: s, data: runs.map(function (e) { return seriesOf(e) === s ? e[field] : null; }) };
      });
    }
    chart('chart-trend-quality', lines(labels, trend('pass_rate'), 'pass rate'));
    chart('chart-trend-cost', lines(labels, trend('cost_per_request_micros'), 'cost per request (micro-dollars)'));
    chart('chart-trend-latency', lines(labels, trend('latency_p95_ms'), 'p95 latency (ms)'));
  }
  document.body.setAttribute('data-charts-drawn', String(drawn));
})();
`;

export const REPORT_CSS = `body{font-family:system-ui,sans-serif;margin:24px;color:#111827;max-width:1200px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:24px}
.chart{position:relative;height:300px}
table{border-collapse:collapse;font-size:.85rem;margin-top:.5rem}
th,td{border:1px solid #e5e7eb;padding:4px 8px;text-align:left}th{background:#f3f4f6}
.fail{color:#b91c1c;font-weight:600}.ok{color:#15803d}
`;
