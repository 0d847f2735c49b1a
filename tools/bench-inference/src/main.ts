/**
 * `npm run bench:inference` (after `npm run build`; Redis from REDIS_URL): the inference worker's own cost and
 * what its resilience buys. model-sim runs as real processes from dist/ (answering at once unless faults are
 * injected); the worker's use case runs in this process with its real Redis lease, outbox and result stream
 * and the openai SDK, and counts its Kafka events instead of producing them (Kafka is measured by bench:kafka).
 *
 * 1. overhead: the same requests one at a time, straight to model-sim with the SDK and through the worker.
 * 2. throughput: closed loop at --concurrency for --seconds through the worker (and direct, for reference).
 * 3. faults: one workload (--requests arriving at --rate per second, plan [a, b]) against model-sims injecting
 *    20% faults (429, 500, hung calls), and again with deployment a down (100% 500s) and b at 20%: without retries, with retries but no
 *    breakers or budget, and with breakers and retry budget. Success rate, provider calls per request, p50/p99.
 * Prints figures only; JSON goes to .local/reports/bench-inference-<timestamp>.json (--out).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseCatalog } from '@llm/catalog';
import { inheritedEnvironment, loadConfig, redisSchema } from '@llm/config';
import { DEFAULT_CACHE_POLICY, ExactCacheReader } from '@llm/cache-key';
import type { InferenceRequestV1, RouteTarget, TopicInput, TopicName } from '@llm/contracts';
import type { PublishOptions } from '@llm/kafka';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { createRedis, type Redis } from '@llm/redis';
import { RequestCancellation, RequestNotifications, ResultPublisher } from '@llm/result-stream';
import { createLogger, MetricsRegistry } from '@llm/telemetry';
import { countTokens } from '@llm/tokens';
import OpenAI from 'openai';
// eslint-disable-next-line @nx/enforce-module-boundaries -- a benchmark of the worker's own code, run in-process like its int specs
import { ProviderCallRunner } from '../../../apps/inference-worker/src/inference/calls/provider-call.runner';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { RedisCallOutbox, RedisRequestLease } from '../../../apps/inference-worker/src/inference/outbox/call-outbox';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { OpenAiCompatibleAdapter } from '../../../apps/inference-worker/src/inference/providers/openai-compatible.adapter';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { ProviderRegistry } from '../../../apps/inference-worker/src/inference/providers/provider-registry';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { CircuitBreakers } from '../../../apps/inference-worker/src/inference/resilience/circuit-breakers';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { DeploymentLimiter } from '../../../apps/inference-worker/src/inference/resilience/deployment-limiter';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { GuardedCallRunner } from '../../../apps/inference-worker/src/inference/resilience/guarded-call.runner';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { DEFAULT_POLICY_SETTINGS, InferencePolicies, type PolicySettings } from '../../../apps/inference-worker/src/inference/resilience/inference-policies';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { RunInferenceCommand } from '../../../apps/inference-worker/src/inference/use-cases/run-inference/run-inference.command';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { RunInferenceUseCase } from '../../../apps/inference-worker/src/inference/use-cases/run-inference/run-inference.use-case';

const ROOT = resolve(__dirname, '../../../..');
const config = loadConfig(redisSchema);
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SEQUENTIAL = arg('sequential', 400);
const CONCURRENCY = arg('concurrency', 64);
const SECONDS = arg('seconds', 10);
const REQUESTS = arg('requests', 1_500);
const RATE = arg('rate', 40);
const OUT = (() => {
  const i = process.argv.indexOf('--out');
  return i > 0 ? process.argv[i + 1]! : join(ROOT, `.local/reports/bench-inference-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
})();
const BASE_PORT = arg('port', 31_650);
const PHASES = (() => {
  const i = process.argv.indexOf('--phases');
  return new Set((i > 0 ? process.argv[i + 1]! : 'overhead,throughput,faults').split(','));
})();
const logger = createLogger({ service: 'bench-inference', level: 'error' });
const tenant = `bench-${randomBytes(3).toString('hex')}`;

/** 20% of calls fail: rate-limited, server errors, and calls that hang until the worker's first-token limit. */
const TWENTY_PERCENT = { SIM_FAULT_429_RATE: '0.08', SIM_FAULT_500_RATE: '0.08', SIM_FAULT_TIMEOUT_RATE: '0.04' };
const FAST = { SIM_TTFT_MS: '0', SIM_ITL_MS: '0', SIM_MAX_BATCH: '1000', SIM_MAX_QUEUE: '100000' };

/** Counts the worker's Kafka events instead of keeping or producing them. */
class CountingEvents extends InMemoryEventPublisher {
  count = 0;
  override async publish<T extends TopicName>(_topic: T, _payload: TopicInput<T>, _options?: PublishOptions): Promise<void> {
    this.count++;
  }
}

interface Sim {
  url: string;
  child: ChildProcess;
}

async function startSim(port: number, env: Record<string, string>): Promise<Sim> {
  const main = join(ROOT, 'dist/apps/model-sim/src/main.js');
  const child = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: { ...definedOnly(inheritedEnvironment()), LOG_LEVEL: 'error', NODE_ENV: 'test', HTTP_PORT: String(port), ...FAST, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`model-sim exited with ${child.exitCode}`);
    if (
      await fetch(`${url}/health`)
        .then((r) => r.ok)
        .catch(() => false)
    )
      return { url, child };
    await sleep(100);
  }
  throw new Error(`model-sim on ${port} did not start`);
}

const catalog = parseCatalog({
  providers: {
    a: { kind: 'openai-compatible', base_url: 'http://127.0.0.1:1/v1', base_url_setting: 'A_URL' },
    b: { kind: 'openai-compatible', base_url: 'http://127.0.0.1:1/v1', base_url_setting: 'B_URL' },
  },
  models: ['a', 'b'].map((p) => ({
    id: p,
    provider: p,
    deployment: 'sim-small',
    tier: 'small',
    context_window: 8192,
    price_in_micros_per_mtok: 150_000,
    price_out_micros_per_mtok: 600_000,
  })),
  routes: { default: ['a', 'b'] },
});
const target = (id: string): RouteTarget => ({
  model: id,
  provider: id,
  deployment: 'sim-small',
  price_in_micros_per_mtok: 150_000,
  price_out_micros_per_mtok: 600_000,
  timeout_ms: 5_000,
  first_token_timeout_ms: 2_000,
  idle_timeout_ms: 2_000,
});
const BODY = { model: 'auto', max_tokens: 16, messages: [{ role: 'user' as const, content: 'What is the capital of Norway? Answer briefly.' }] };
const request = (targets: string[]): InferenceRequestV1 => ({
  request_id: randomUUID(),
  tenant_id: tenant,
  priority: 'realtime-paid',
  mode: 'sync',
  created_at: new Date().toISOString(),
  body: BODY,
  context: [],
  plan: { policy: 'bench', reason: 'bench', targets: targets.map(target) },
});

type Variant = 'no retries' | 'retries, no breakers/budget' | 'breakers + retry budget';

function worker(
  redis: Redis,
  cancellation: RequestCancellation,
  events: CountingEvents,
  urls: { A_URL: string; B_URL: string },
  variant: Variant,
  metrics?: MetricsRegistry,
): RunInferenceUseCase {
  const runner = new ProviderCallRunner(new OpenAiCompatibleAdapter(new ProviderRegistry(catalog, urls)), {
    firstTokenMs: 2_000,
    idleMs: 2_000,
    encodings: new Map(catalog.models.map((m) => [m.id, m.tokenizer])),
  });
  const guarded = variant === 'breakers + retry budget';
  // Without breakers: a threshold no failure ratio exceeds. Without a budget: as many retries as requests.
  const breakers = new CircuitBreakers(
    guarded ? { threshold: 0.5, windowMs: 10_000, minCalls: 20, halfOpenMs: 2_000 } : { threshold: 0.99, windowMs: 10_000, minCalls: 1e9, halfOpenMs: 2_000 },
    metrics,
  );
  const settings: PolicySettings = {
    ...DEFAULT_POLICY_SETTINGS,
    INFERENCE_MAX_RETRIES: variant === 'no retries' ? 0 : 2,
    INFERENCE_RETRY_BASE_MS: 50,
    INFERENCE_RETRY_CAP_MS: 1_000,
    INFERENCE_RETRY_AFTER_MAX_MS: 2_000,
    ...(guarded ? {} : { INFERENCE_RETRY_BUDGET_RATIO: 1, INFERENCE_RETRY_BUDGET_MIN_PER_S: 1e6 }),
  };
  return new RunInferenceUseCase(
    new GuardedCallRunner(runner, breakers, new DeploymentLimiter(redis, () => undefined, { waitMs: 0, batchWaitMs: 0, batchConcurrencyShare: 0.5 }), {
      defaultOutputTokens: 16,
      cooldownMinRetryAfterS: 5,
    }),
    new RedisCallOutbox(redis, 600),
    new RedisRequestLease(redis),
    events,
    new ResultPublisher(redis, events),
    cancellation,
    new InferencePolicies(settings, new ExactCacheReader(redis, DEFAULT_CACHE_POLICY)),
    logger,
  );
}

/** The request's outcome from the worker's own record (its outbox result), read back after execute. */
async function statusOf(outbox: RedisCallOutbox, requestId: string): Promise<string> {
  const stored = await outbox.load(tenant, requestId);
  return stored.result?.status === 'succeeded' ? 'ok' : (stored.result?.error?.code ?? 'none');
}

async function openLoop(rate: number, count: number, one: () => Promise<void>): Promise<{ n: number; ms: number; lat: number[] }> {
  const lat: number[] = [];
  const started = performance.now();
  const running: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    running.push(
      (async () => {
        // Latency counts from the scheduled arrival, so a slow worker cannot slow the arrivals down.
        await one();
        lat.push(performance.now() - due);
      })(),
    );
  }
  await Promise.all(running);
  return { n: lat.length, ms: performance.now() - started, lat };
}

async function warm(sim: Sim): Promise<void> {
  const sdk = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'bench', maxRetries: 0, timeout: 500 });
  await sdk.chat.completions.create({ ...BODY, model: 'sim-small' }).catch(() => undefined);
}

async function closedLoop(concurrency: number, until: () => boolean, one: () => Promise<void>): Promise<{ n: number; ms: number; lat: number[] }> {
  const lat: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (until()) {
        const t = performance.now();
        await one();
        lat.push(performance.now() - t);
      }
    }),
  );
  return { n: lat.length, ms: performance.now() - started, lat };
}

async function main(): Promise<void> {
  const redis = createRedis(config.REDIS_URL, logger);
  const subscriber = createRedis(config.REDIS_URL, logger, 'bench-inference-sub');
  const cancellation = new RequestCancellation(redis, new RequestNotifications(subscriber));
  const outbox = new RedisCallOutbox(redis, 600);
  countTokens('warm up');
  const sims: Sim[] = [];
  const stop = () => sims.forEach((s) => s.child.kill('SIGTERM'));
  process.once('SIGINT', () => (stop(), process.exit(130)));
  const report: Record<string, unknown> = { started_at: new Date().toISOString(), concurrency: CONCURRENCY, seconds: SECONDS, requests: REQUESTS };
  try {
    // 1 + 2: a fast, healthy model-sim.
    const fast = await startSim(BASE_PORT, {});
    sims.push(fast);
    const events = new CountingEvents();
    const urls = { A_URL: `${fast.url}/v1`, B_URL: `${fast.url}/v1` };
    const run = worker(redis, cancellation, events, urls, 'breakers + retry budget');
    const sdk = new OpenAI({ baseURL: `${fast.url}/v1`, apiKey: 'bench', maxRetries: 0 });
    const direct = () => sdk.chat.completions.create({ ...BODY, model: 'sim-small' }).then(() => undefined);
    const viaWorker = () => run.execute(RunInferenceCommand.create(request(['a', 'b']), 1, 5));
    for (let i = 0; i < 50; i++) await Promise.all([direct(), viaWorker()]);
    if (PHASES.has('overhead')) await overheadPhase(direct, viaWorker);
    if (PHASES.has('throughput')) await throughputPhase(direct, viaWorker);
    fast.child.kill('SIGTERM');
    if (PHASES.has('faults')) await faultPhase();
  } finally {
    stop();
    redis.disconnect();
    subscriber.disconnect();
  }
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(report, null, 2));
  console.log(`\nJSON: ${OUT}`);

  async function overheadPhase(direct: () => Promise<void>, viaWorker: () => Promise<void>): Promise<void> {
    const seq = async (fn: () => Promise<void>) => {
      const lat: number[] = [];
      for (let i = 0; i < SEQUENTIAL; i++) {
        const t = performance.now();
        await fn();
        lat.push(performance.now() - t);
      }
      return lat;
    };
    const d = await seq(direct);
    const w = await seq(viaWorker);
    const overhead = {
      direct_p50_ms: pct(d, 50),
      direct_p99_ms: pct(d, 99),
      worker_p50_ms: pct(w, 50),
      worker_p99_ms: pct(w, 99),
      added_p50_ms: pct(w, 50) - pct(d, 50),
      added_mean_ms: mean(w) - mean(d),
    };
    report.overhead = overhead;
    console.log(`\nworker overhead per request (${SEQUENTIAL} sequential sync requests, fast model-sim)`);
    console.table([
      { path: 'direct (openai SDK → model-sim)', p50_ms: r1(overhead.direct_p50_ms), p99_ms: r1(overhead.direct_p99_ms) },
      { path: 'through the worker', p50_ms: r1(overhead.worker_p50_ms), p99_ms: r1(overhead.worker_p99_ms) },
      { path: 'added by the worker', p50_ms: r1(overhead.added_p50_ms), p99_ms: r1(pct(w, 99) - pct(d, 99)), mean_ms: r1(overhead.added_mean_ms) },
    ]);
  }

  async function throughputPhase(direct: () => Promise<void>, viaWorker: () => Promise<void>): Promise<void> {
    const throughput: Record<string, unknown>[] = [];
    for (const [name, fn] of [
      ['direct', direct],
      ['worker', viaWorker],
    ] as const) {
      const end = Date.now() + SECONDS * 1000;
      const res = await closedLoop(CONCURRENCY, () => Date.now() < end, fn);
      throughput.push({ path: name, concurrency: CONCURRENCY, req_per_s: Math.round((res.n / res.ms) * 1000), p50_ms: r1(pct(res.lat, 50)), p99_ms: r1(pct(res.lat, 99)) });
    }
    report.throughput = throughput;
    console.log(`\nmax sustained requests/s (closed loop, ${CONCURRENCY} in flight, ${SECONDS} s; one worker process, model-sim in its own)`);
    console.table(throughput);
  }

  /** 3: the same workload under faults. */
  async function faultPhase(): Promise<void> {
    const faults: Record<string, unknown>[] = [];
    for (const [scenario, aEnv, bEnv] of [
      ['20% faults on both deployments', TWENTY_PERCENT, TWENTY_PERCENT],
      ['deployment a down, b at 20% faults', { SIM_FAULT_500_RATE: '1' }, TWENTY_PERCENT],
    ] as const) {
      for (const variant of ['no retries', 'retries, no breakers/budget', 'breakers + retry budget'] as const) {
        const a = await startSim(BASE_PORT + 1, aEnv);
        const b = await startSim(BASE_PORT + 2, bEnv);
        sims.push(a, b);
        const metrics = new MetricsRegistry('bench-inference', { defaultMetrics: false });
        const run = worker(redis, cancellation, new CountingEvents(), { A_URL: `${a.url}/v1`, B_URL: `${b.url}/v1` }, variant, metrics);
        // Warm both model-sims (a fresh process answers its first calls slowly) with calls the worker never sees.
        await Promise.all([a, b].flatMap((sim) => Array.from({ length: 32 }, () => warm(sim))));
        const [aBefore, bBefore] = [await simRequests(a), await simRequests(b)];
        const statuses = new Map<string, number>();
        // Open loop: requests arrive at a fixed rate whatever happens to earlier ones, as callers do; a closed
        // loop would send the next request the moment a breaker failed the last one fast.
        const res = await openLoop(RATE, REQUESTS, async () => {
          const req = request(['a', 'b']);
          await run.execute(RunInferenceCommand.create(req, 1, 5));
          const s = await statusOf(outbox, req.request_id);
          statuses.set(s, (statuses.get(s) ?? 0) + 1);
        });
        const [aCalls, bCalls] = [(await simRequests(a)) - aBefore, (await simRequests(b)) - bBefore];
        const calls = aCalls + bCalls;
        faults.push({
          scenario,
          variant,
          success_pct: r1((100 * (statuses.get('ok') ?? 0)) / res.n),
          provider_calls_per_request: Math.round((calls / res.n) * 100) / 100,
          calls_to_a: aCalls,
          breaker_opens: await opens(metrics),
          p50_ms: r1(pct(res.lat, 50)),
          p99_ms: r1(pct(res.lat, 99)),
          failures: Object.fromEntries([...statuses].filter(([k]) => k !== 'ok')),
        });
        for (const s of [a, b]) {
          s.child.kill('SIGTERM');
          await exited(s.child);
        }
      }
    }
    report.faults = faults;
    console.log(`\nsuccess under injected faults (${REQUESTS} requests at ${RATE}/s, plan [a, b]; 20% = 8% 429, 8% 500, 4% calls that hang until the 2 s first-token limit)`);
    console.table(faults.map(({ failures: _f, ...row }) => row));
  }
}

/** How many times any breaker opened during the run. */
async function opens(metrics: MetricsRegistry): Promise<number> {
  const m = await metrics.registry.getSingleMetric('inference_circuit_transitions_total')?.get();
  return (m?.values ?? []).filter((v) => v.labels.state === 'open').reduce((n, v) => n + v.value, 0);
}

async function simRequests(sim: Sim): Promise<number> {
  return ((await (await fetch(`${sim.url}/sim/stats`)).json()) as { requests: number }).requests;
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / Math.max(1, v.length);
const r1 = (v: number) => Math.round(v * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}
function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
