/**
 * `npm run bench:gateway` against a running `make up`: the latency the platform adds. Each round sends the
 * same kind of request three ways, interleaved so machine noise hits all alike: straight to model-sim, through
 * ingress with a new prompt (cache miss: ingress → Kafka → cache → router → worker → model-sim → back), and
 * through ingress with a repeated prompt (exact-cache hit). Prints p50/p95 of each and the overhead.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig, nonNegativeInt, positiveInt } from '@llm/config';
import OpenAI from 'openai';
import { z } from 'zod';

const config = loadConfig(
  z.object({
    INGRESS_URL: z.url().default('http://127.0.0.1:8080'),
    SIM_URL: z.url().default('http://127.0.0.1:8090'),
    DEMO_API_KEY: z.string().default('sk-demo-local-0000000000000000'),
    BENCH_ROUNDS: positiveInt(100),
    // 0 measures back-to-back requests, each competing with the previous one's trailing work.
    BENCH_SETTLE_MS: nonNegativeInt(100),
  }),
);
const direct = new OpenAI({ baseURL: `${config.SIM_URL}/v1`, apiKey: 'x', maxRetries: 0 });
const gateway = new OpenAI({ baseURL: `${config.INGRESS_URL}/v1`, apiKey: config.DEMO_API_KEY, maxRetries: 0 });
// Room for the whole answer: the cache does not store truncated (finish_reason: length) answers.
// temperature 0: only deterministic requests are cached by default (libs/cache-key cache-policy.ts).
const params = { max_tokens: 64, temperature: 0 } as const;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const settle = () => (config.BENCH_SETTLE_MS > 0 ? new Promise((r) => setTimeout(r, config.BENCH_SETTLE_MS)) : Promise.resolve());

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main(): Promise<void> {
  const repeated = `bench repeated prompt ${randomUUID()}`;
  await gateway.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: repeated }], ...params });
  // Let the cache write-back land before measuring hits.
  await new Promise((r) => setTimeout(r, 500));
  const results = { direct: [] as number[], miss: [] as number[], hit: [] as number[] };
  let hits = 0;
  for (let i = 0; i < config.BENCH_ROUNDS; i++) {
    const fresh = `bench ${randomUUID()}`;
    // Each call waits for the platform's trailing work of the previous one (usage, write-back, evaluation) to
    // settle, so every figure is the latency of a request on a quiet platform, not of the one before it.
    results.hit.push(
      await timed(async () => {
        const { response } = await gateway.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: repeated }], ...params }).withResponse();
        if (response.headers.get('x-cache')?.startsWith('HIT')) hits++;
      }),
    );
    await settle();
    results.direct.push(await timed(() => direct.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: fresh }], ...params })));
    await settle();
    results.miss.push(await timed(() => gateway.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: fresh }], ...params })));
    await settle();
  }
  const line = (name: string, xs: number[]) => `${name.padEnd(38)} p50 ${pct(xs, 50).toFixed(1).padStart(6)} ms   p95 ${pct(xs, 95).toFixed(1).padStart(6)} ms`;
  console.log(`bench:gateway  ${config.BENCH_ROUNDS} interleaved rounds, sim-small, settle ${config.BENCH_SETTLE_MS} ms`);
  console.log(line('model-sim directly', results.direct));
  console.log(line('through the platform, cache miss', results.miss));
  console.log(`${line('through the platform, repeated prompt', results.hit)}   (${hits}/${results.hit.length} served from cache)`);
  const overhead = results.miss.map((m, i) => m - results.direct[i]!);
  console.log(`platform overhead on a miss (pairwise)    p50 ${pct(overhead, 50).toFixed(1)} ms   p95 ${pct(overhead, 95).toFixed(1)} ms`);
  console.log(`cache hit / direct model call (p50)        ${(pct(results.hit, 50) / pct(results.direct, 50)).toFixed(2)}x`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('bench:gateway failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
