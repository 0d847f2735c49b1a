/**
 * `npm run bench:pipeline` (infra/scripts/bench-pipeline.sh starts the infrastructure first): throughput, added
 * latency, CPU and memory of the platform against model-sim called directly, the Portkey gateway and the
 * LiteLLM proxy in front of the same model-sim; an open-loop rate sweep, a closed-loop connections sweep, a
 * 2 ingress + 2 worker topology, and paid realtime latency during a batch flood. Prints a table, writes JSON
 * and an HTML page with the curves. Flags: see USAGE in options.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PipelineBench } from './bench';
import { loadBenchEnv, parseOptions, USAGE } from './options';
import { BenchSystems, ROOT } from './platform/systems';
import { renderHtml } from './report/html';
import { renderText } from './report/table';

async function main(): Promise<number> {
  const env = loadBenchEnv();
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  const options = parseOptions(args, env);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = options.out ?? join(ROOT, `.local/reports/bench-pipeline-${stamp}.json`);
  const logDir = join(ROOT, '.local/state/bench-pipeline', stamp);
  mkdirSync(logDir, { recursive: true });
  mkdirSync(dirname(out), { recursive: true });

  const systems = new BenchSystems(env, logDir);
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n[bench] stopping what the bench started (signal); logs in ${logDir}`);
    await systems.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(130));
  process.once('SIGTERM', () => void stop(143));
  process.once('exit', () => systems.launcher.killAllNow());

  try {
    const report = await new PipelineBench(systems, env, options).run();
    const text = renderText(report);
    console.log(`\n${text}\n`);
    writeFileSync(out, JSON.stringify(report, null, 2));
    const html = out.replace(/\.json$/, '') + '.html';
    writeFileSync(html, renderHtml(report, text, ROOT));
    console.log(`[bench] wrote ${out}\n[bench] wrote ${html}\n[bench] service logs in ${logDir}`);
    return 0;
  } finally {
    await systems.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('bench:pipeline failed:', err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
