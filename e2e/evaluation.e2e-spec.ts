import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { inheritedEnvironment } from '@llm/config';
import { Topics } from '@llm/contracts';
import { createKafkaClient, KafkaEventPublisher } from '@llm/kafka';
import { llmRequest, llmResult, quietLogger, testInfra, waitFor } from '@llm/testing';
import OpenAI from 'openai';
import { Client } from 'pg';
import { chromium, type Browser } from 'playwright-core';
import { platformInfo, type PlatformInfo } from './support/platform';
import { ROOT } from './support/service-processes';

const SCREENSHOTS = join(ROOT, '.local/reports');
const stamp = new Date().toISOString().replace(/[:.]/g, '-');

interface ChartProbe {
  drawn: number;
  canvases: Array<{ id: string; hasChart: boolean; points: number; painted: number; width: number }>;
}

/**
 * Runs in the page (a string: this project compiles without the DOM library). A drawn chart is a Chart.js
 * instance bound to the canvas, with data points, that has painted pixels (some alpha somewhere).
 */
const CHART_PROBE = `(() => {
  const canvases = [...document.querySelectorAll('canvas')];
  return {
    drawn: Number(document.body.getAttribute('data-charts-drawn')),
    canvases: canvases.map((c) => {
      const chart = window.Chart.getChart(c);
      const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
      return { id: c.id, hasChart: chart !== undefined, points: chart ? chart.data.datasets.reduce((n, d) => n + d.data.filter((v) => v !== null).length, 0) : 0, painted, width: c.width };
    }),
  };
})()`;

/** Runs `npm run eval`'s program as a user would, against the e2e platform; resolves with its exit code and output. */
function runEval(p: PlatformInfo, args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'dist/apps/evaluator/src/offline/eval.main.js'), '--suite', 'smoke', '--base-url', p.ingressUrl, '--api-key', p.apiKey, '--out', p.reportsDir, ...args],
    { cwd: ROOT, env: { ...inheritedEnvironment(), MODEL_CATALOG_PATH: p.catalogPath }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

describe('evaluation: offline suite, online judges and reports, end to end', () => {
  let p: PlatformInfo;
  let db: Client;
  const goodRun = `e2e-smoke-${stamp}`;
  const shadowRun = `e2e-shadow-${stamp}`;

  beforeAll(async () => {
    p = platformInfo();
    db = new Client({ connectionString: testInfra().DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
  });

  it('passes the smoke suite through the real pipeline, within tolerance of its stored baseline', async () => {
    const { code, output } = await runEval(p, ['--run-id', goodRun]);
    expect(output).toContain('RESULT: within tolerance of the baseline');
    expect(code).toBe(0);
  });

  it('fails the smoke suite (exit code 1) when its route is broken: a model that answers wrongly', async () => {
    const { code, output } = await runEval(p, ['--run-id', `e2e-smoke-broken-${stamp}`, '--model', 'sim-broken']);
    expect(output).toContain('RESULT: regression beyond tolerance');
    expect(output).toMatch(/REGRESSED pass_rate/);
    expect(code).toBe(1);
  });

  it('judges sampled live traffic online: verdicts in Postgres for a JSON-schema request', async () => {
    const client = new OpenAI({ baseURL: `${p.ingressUrl}/v1`, apiKey: p.apiKey, maxRetries: 0, timeout: 60_000 });
    const { response } = await client.chat.completions
      .create({
        model: 'sim-small',
        messages: [{ role: 'user', content: `Give the answer as JSON ${stamp}` }],
        response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', required: ['answer'], properties: { answer: { type: 'string' } } } } },
      })
      .withResponse();
    const requestId = response.headers.get('x-request-id')!;
    const judges = await waitFor(
      async () => {
        const { rows } = await db.query<{ judge: string; passed: boolean }>('select judge, passed from evaluations where tenant_id = $1 and request_id = $2 order by judge', [
          p.tenantId,
          requestId,
        ]);
        return rows.some((r) => r.judge === 'json_schema') ? rows : undefined;
      },
      { what: 'the online verdicts of the request', timeoutMs: 30_000 },
    );
    expect(judges).toEqual([
      { judge: 'cost', passed: true },
      { judge: 'json_schema', passed: true },
      { judge: 'json_validity', passed: true },
      { judge: 'latency', passed: true },
    ]);
  });

  it("sends the LLM-as-judge through the platform: the judge tenant's batch request is admitted, answered, billed to it, and read back", async () => {
    // A grounded RAG exchange as the retriever and the worker would leave it on the topics (this e2e platform
    // has no documents ingested): the request with its context, then its result.
    const publisher = new KafkaEventPublisher(
      createKafkaClient({ brokers: testInfra().KAFKA_BROKERS, clientId: 'e2e-evaluation', logger: quietLogger() }),
      quietLogger(),
      testInfra().KAFKA_TOPIC_PREFIX,
    );
    await publisher.connect();
    const requestId = randomUUID();
    try {
      const request = llmRequest({ request_id: requestId, tenant_id: p.tenantId, feature: 'rag-e2e', rag: { collection: 'docs', top_k: 3 } });
      await publisher.publish(Topics.inference, {
        ...request,
        body: { model: 'auto', messages: [{ role: 'user', content: 'When was the Eiffel Tower completed?' }] },
        context: [{ document_id: 'doc-paris', chunk_id: 'c1', text: 'The Eiffel Tower was completed in 1889 for the World Fair in Paris.', score: 1 }],
        plan: {
          policy: 'catalog-chain',
          reason: 'route default',
          targets: [{ model: 'sim-small', provider: 'sim', deployment: 'sim-small', price_in_micros_per_mtok: 1, price_out_micros_per_mtok: 1, timeout_ms: 1000 }],
        },
      });
      await publisher.publish(Topics.results, llmResult({ request_id: requestId, tenant_id: p.tenantId, feature: 'rag-e2e' }, 'The Eiffel Tower was completed in 1889 [1].'));
    } finally {
      await publisher.disconnect();
    }
    const judged = await waitFor(
      async () => {
        const { rows } = await db.query<{ judge: string; passed: boolean }>('select judge, passed from evaluations where tenant_id = $1 and request_id = $2 order by judge', [
          p.tenantId,
          requestId,
        ]);
        return rows.some((r) => r.judge === 'grounding_lexical') ? rows : undefined;
      },
      { what: 'the grounding verdicts', timeoutMs: 30_000 },
    );
    expect(judged).toEqual(
      expect.arrayContaining([
        { judge: 'grounding_lexical', passed: true },
        { judge: 'refusal', passed: true },
      ]),
    );
    // The judge request ran through ingress (batch band), router, worker and model-sim, and was billed to the judge tenant.
    const usage = await waitFor(
      async () => {
        const { rows } = await db.query<{ feature: string }>(
          "select u.feature from usage_events u join request_registry r on r.tenant_id = u.tenant_id and r.request_id = u.request_id where u.tenant_id = 'platform-evaluator' and r.upstream_id = $1",
          [`judge:${p.tenantId}:${requestId}`],
        );
        return rows[0];
      },
      { what: 'the judge request in the ledger', timeoutMs: 30_000 },
    );
    expect(usage).toEqual({ feature: 'llm-judge' });
    // model-sim grades nothing: its answer is read back and counted as not a verdict, never turned into a score.
    await waitFor(
      async () => (/^evaluator_llm_judge_results_total\{outcome="unparseable"[^}]*\} [1-9]/m.test(await (await fetch(`${p.evaluatorUrl}/metrics`)).text()) ? true : undefined),
      {
        what: 'the judge answer back at the evaluator',
      },
    );
  });

  it('replays sampled traffic against a candidate model in shadow: side by side, billed to the shadow tenant, never to the user', async () => {
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'dist/apps/evaluator/src/shadow/shadow.main.js'),
        ...['--tenant', p.tenantId, '--candidate', 'sim-large', '--base-url', p.ingressUrl, '--api-key', p.shadowApiKey, '--out', p.reportsDir, '--run-id', shadowRun],
      ],
      { cwd: ROOT, env: { ...inheritedEnvironment(), MODEL_CATALOG_PATH: p.catalogPath, DATABASE_URL: testInfra().DATABASE_URL }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('shadow replay of') });

    const res = await fetch(`${p.evaluatorUrl}/reports/${shadowRun}/report.json`, { headers: { authorization: `Bearer ${p.adminToken}` } });
    const report = (await res.json()) as {
      kind: string;
      variants: Array<{ name: string; requests: number }>;
      rows: Array<{ variant: string; model: string | null; scores: Record<string, unknown> }>;
    };
    expect(report.kind).toBe('shadow');
    expect(report.variants.map((v) => v.name)).toEqual(['baseline', 'candidate']);
    expect(report.variants[0]!.requests).toBe(report.variants[1]!.requests);
    expect(report.rows.filter((r) => r.variant === 'candidate').every((r) => r.model === 'sim-large' && 'agreement' in r.scores)).toBe(true);

    // Usage of the replays: the shadow tenant's, tagged `shadow`; the replayed tenant is charged nothing for them.
    const shadowUsage = await waitFor(
      async () => {
        const { rows } = await db.query<{ n: string }>(
          "select count(*)::text as n from usage_events where tenant_id = 'platform-shadow' and feature = 'shadow' and model = 'sim-large'",
        );
        return Number(rows[0]!.n) >= report.variants[1]!.requests ? Number(rows[0]!.n) : undefined;
      },
      { what: 'the shadow usage in the ledger', timeoutMs: 30_000 },
    );
    expect(shadowUsage).toBeGreaterThan(0);
    const user = await db.query<{ n: string }>("select count(*)::text as n from usage_events where tenant_id = $1 and feature = 'shadow'", [p.tenantId]);
    expect(user.rows[0]!.n).toBe('0');
  });

  it('serves the run report at /reports; it opens in headless chromium with every chart drawn and no console error', async () => {
    const executablePath = execFileSync('bash', [join(ROOT, 'infra/scripts/install-chromium.sh')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop()!;
    mkdirSync(SCREENSHOTS, { recursive: true });
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
      const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${p.adminToken}` }, viewport: { width: 1280, height: 1600 } });
      for (const [path, shot] of [
        [`/reports/${goodRun}/index.html`, 'evaluation-report.png'],
        [`/reports/${shadowRun}/index.html`, 'evaluation-shadow-report.png'],
        ['/reports', 'evaluation-report-index.png'],
      ] as const) {
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') problems.push(`console: ${m.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
        page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
        page.on('response', (r) => {
          if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
        });
        const res = await page.goto(`${p.evaluatorUrl}${path}`);
        expect(res?.status()).toBe(200);
        await page.waitForSelector('body[data-charts-drawn]');
        const charts = await page.evaluate<ChartProbe>(CHART_PROBE);
        await page.screenshot({ path: join(SCREENSHOTS, shot), fullPage: true });
        expect(charts.canvases.length).toBeGreaterThanOrEqual(3);
        expect(charts.drawn).toBe(charts.canvases.length);
        for (const c of charts.canvases) {
          expect({ id: c.id, hasChart: c.hasChart }).toEqual({ id: c.id, hasChart: true });
          expect(c.points).toBeGreaterThan(0);
          expect(c.width).toBeGreaterThan(0);
          expect(c.painted).toBeGreaterThan(100);
        }
        expect(problems).toEqual([]);
        await page.close();
      }
    } finally {
      await browser?.close();
    }
    const json = await fetch(`${p.evaluatorUrl}/reports/${goodRun}/report.json`, { headers: { authorization: `Bearer ${p.adminToken}` } });
    expect(json.status).toBe(200);
    expect(await json.json()).toMatchObject({ run_id: goodRun, kind: 'offline', suite: 'smoke', baseline: { regressed: false } });
    expect((await fetch(`${p.evaluatorUrl}/reports/${goodRun}/report.json`)).status).toBe(401);
    expect((await fetch(`${p.evaluatorUrl}/reports/..%2F..%2Fpackage.json`, { headers: { authorization: `Bearer ${p.adminToken}` } })).status).toBe(404);
  });
});
