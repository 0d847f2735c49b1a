import { parseArgs } from 'node:util';
import { loadCatalog } from '@llm/catalog';
import { databaseSchema, loadConfig } from '@llm/config';
import { tenantId } from '@llm/contracts';
import { createPgPool } from '@llm/db';
import { z } from 'zod';
import { EvaluationStoreRepository } from '../evaluation/evaluation-store.repository';
import { PlatformClient } from '../offline/platform.client';
import { ReportWriter } from '../reports/report.writer';
import { ShadowReplay } from './shadow-replay';

const USAGE = `npm run eval:shadow -- --tenant <tenant> --candidate <model or route> [--feature <feature>] [--limit 50]
                         [--since-hours 168] [--base-url <platform url>] [--api-key <shadow tenant key>] [--out <dir>]`;

const envSchema = databaseSchema.extend({
  EVAL_BASE_URL: z.url().default('http://127.0.0.1:8080'),
  /** The platform's shadow tenant's key: replays are billed there, never to the replayed tenant. */
  EVAL_SHADOW_API_KEY: z.string().min(8).default('sk-platform-shadow-local-00000'),
  EVAL_REPORTS_DIR: z.string().min(1).default('.local/reports/evals'),
  MODEL_CATALOG_PATH: z.string().min(1).default('infra/catalog/models.json'),
});

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      feature: { type: 'string' },
      candidate: { type: 'string' },
      limit: { type: 'string', default: '50' },
      'since-hours': { type: 'string', default: '168' },
      'base-url': { type: 'string' },
      'api-key': { type: 'string' },
      out: { type: 'string' },
      'run-id': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const tenant = tenantId.safeParse(values.tenant);
  const limit = Number(values.limit);
  const hours = Number(values['since-hours']);
  if (values.help || !tenant.success || !values.candidate || !Number.isInteger(limit) || limit < 1 || !(hours > 0)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const env = loadConfig(envSchema);
  const pool = createPgPool(env.DATABASE_URL, { max: 2 });
  try {
    const client = new PlatformClient(
      { baseUrl: values['base-url'] ?? env.EVAL_BASE_URL, apiKey: values['api-key'] ?? env.EVAL_SHADOW_API_KEY },
      loadCatalog(env.MODEL_CATALOG_PATH),
    );
    const now = new Date();
    const report = await new ShadowReplay(new EvaluationStoreRepository(pool), client).run({
      runId: values['run-id'] ?? `shadow-${tenant.data}-${now.toISOString().replace(/[:.]/g, '-')}`,
      tenantId: tenant.data,
      ...(values.feature ? { feature: values.feature } : {}),
      limit,
      since: new Date(now.getTime() - hours * 3_600_000),
      candidate: values.candidate,
      concurrency: 4,
      now,
    });
    const written = new ReportWriter(values.out ?? env.EVAL_REPORTS_DIR).write(report);
    console.log(`shadow replay of ${report.rows.length / 2} requests of ${tenant.data} against ${values.candidate}`);
    console.log('variant      model         requests  errors  pass rate  cost/request µ$  p50 ms  p95 ms');
    for (const v of report.variants) {
      const model = [...new Set(report.rows.filter((r) => r.variant === v.name).map((r) => r.model ?? '-'))].join(',');
      console.log(
        `${v.name.padEnd(12)} ${model.slice(0, 12).padEnd(13)} ${String(v.requests).padStart(8)}  ${String(v.errors).padStart(6)}  ${String(v.pass_rate).padStart(9)}  ${String(v.cost_per_request_micros).padStart(15)}  ${String(v.latency_ms.p50).padStart(6)}  ${String(v.latency_ms.p95).padStart(6)}`,
      );
    }
    console.log(`report: ${written.page}`);
    return report.rows.length === 0 ? 3 : 0;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
