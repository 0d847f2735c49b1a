import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCatalog } from '@llm/catalog';
import { loadConfig } from '@llm/config';
import { z } from 'zod';
import { summarise } from '../reports/report.model';
import { ReportWriter } from '../reports/report.writer';
import { baselineFrom } from './baseline';
import { PlatformClient } from './platform.client';
import { loadSuite, SuiteError } from './suite.loader';
import { runSuite } from './suite.runner';

const USAGE = `npm run eval -- --suite <name> [--model <model or route>] [--base-url <platform url>] [--api-key <key>]
                  [--suites-dir evals/suites] [--out <reports dir>] [--run-id <id>] [--update-baseline]
Exit code: 0 within tolerance of the baseline, 1 regression, 2 the suite could not run.`;

const envSchema = z.object({
  EVAL_BASE_URL: z.url().default('http://127.0.0.1:8080'),
  EVAL_API_KEY: z.string().min(8).default('sk-demo-local-0000000000000000'),
  EVAL_JUDGE_MODEL: z.string().min(1).default('auto'),
  EVAL_REPORTS_DIR: z.string().min(1).default('.local/reports/evals'),
  MODEL_CATALOG_PATH: z.string().min(1).default('infra/catalog/models.json'),
});

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      suite: { type: 'string' },
      model: { type: 'string' },
      'base-url': { type: 'string' },
      'api-key': { type: 'string' },
      'suites-dir': { type: 'string', default: 'evals/suites' },
      out: { type: 'string' },
      'run-id': { type: 'string' },
      'update-baseline': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.suite) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const env = loadConfig(envSchema);
  const suite = loadSuite(resolve(values['suites-dir']), values.suite);
  const client = new PlatformClient({ baseUrl: values['base-url'] ?? env.EVAL_BASE_URL, apiKey: values['api-key'] ?? env.EVAL_API_KEY }, loadCatalog(env.MODEL_CATALOG_PATH));
  const now = new Date();
  const runId = values['run-id'] ?? `${suite.manifest.name}-${now.toISOString().replace(/[:.]/g, '-')}`;
  const report = await runSuite(suite, client, { runId, judgeModel: env.EVAL_JUDGE_MODEL, now, ...(values.model ? { model: values.model } : {}) });
  const written = new ReportWriter(values.out ?? env.EVAL_REPORTS_DIR).write(report);

  const all = summarise('all', report.rows);
  console.log(
    `suite ${suite.manifest.name} v${suite.manifest.version} against ${values.model ?? suite.manifest.model}: ${all.requests} cases, pass rate ${all.pass_rate}, errors ${all.errors}`,
  );
  for (const [judge, s] of Object.entries(all.judges)) console.log(`  ${judge.padEnd(20)} pass ${s.pass_rate}  mean ${s.mean_score}  (n=${s.n})`);
  console.log(`  cost/request ${all.cost_per_request_micros} µ$, latency p50 ${all.latency_ms.p50} ms p95 ${all.latency_ms.p95} ms`);
  console.log(`report: ${written.page}\nindex:  ${written.index}`);

  if (values['update-baseline']) {
    const baseline = baselineFrom(all, { suite: suite.manifest.name, version: suite.manifest.version, model: values.model ?? suite.manifest.model, runId, now });
    writeFileSync(join(suite.dir, 'baseline.json'), `${JSON.stringify(baseline, null, 2)}\n`);
    console.log(`baseline written to ${join(suite.dir, 'baseline.json')}`);
    return 0;
  }
  if (!suite.baseline) {
    console.log('no baseline yet: run with --update-baseline to accept this run');
    return 2;
  }
  if (!report.baseline) {
    console.log(`the baseline is for suite version ${suite.baseline.version}, the suite is version ${suite.manifest.version}: re-record it with --update-baseline`);
    return 2;
  }
  for (const item of report.baseline.items.filter((i) => i.regressed))
    console.log(`  REGRESSED ${item.metric}: ${item.baseline} -> ${item.current} (tolerance ${report.baseline.tolerance})`);
  console.log(report.baseline.regressed ? 'RESULT: regression beyond tolerance' : 'RESULT: within tolerance of the baseline');
  return report.baseline.regressed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof SuiteError ? `eval: ${err.message}` : err);
    process.exit(2);
  },
);
