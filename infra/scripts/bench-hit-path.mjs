// The exact-cache hit path of ingress alone (docs/performance.md, "Cache hits at ingress"): starts ingress from
// <checkout>/dist on the active profile's Kafka, Redis and Postgres (seeded demo tenant), stores 16 answers in the
// exact cache with the cache library's own key, drives hits over keep-alive connections and prints, per level:
// hits/s, latency, CPU ms per hit of ingress, Redis and Kafka (their idle CPU subtracted), Redis commands and
// request batches (round trips) per hit, and llm.results.v1 messages ingress read per hit.
//   source infra/scripts/env.sh && npm run bench:hit-path -- "$PWD" <label> [connections,...] [seconds]
// HIT_PATH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles ingress. Compare two builds by passing each
// checkout in turn, alternately, in one session.
import { spawn, execSync } from 'node:child_process';
import { readFileSync, createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
const [tree, label = 'run', connsArg = '1,16,64', durS = '8'] = process.argv.slice(2);
const require = createRequire(tree + '/package.json');
const { Pool } = require('undici');
const { exactCacheKey } = require(tree + '/dist/libs/cache-key/src/index.js');
const { chatRequestBody } = require(tree + '/dist/libs/contracts/src/index.js');
const { TenantKeys } = require(tree + '/dist/libs/redis/src/index.js');
const Redis = require('ioredis');
const PORT = Number(process.env.BENCH_BASE_PORT ?? 31000) + 90;
const API_KEY = process.env.DEMO_API_KEY ?? 'sk-demo-local-0000000000000000';
const env = {
  ...process.env,
  HTTP_PORT: String(PORT),
  HTTP_HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  KAFKA_BROKERS: process.env.KAFKA_BROKERS,
  REDIS_URL: process.env.REDIS_URL,
  DATABASE_URL: process.env.DATABASE_URL,
  MODEL_CATALOG_PATH: tree + '/infra/catalog/models.json',
};
const nodeArgs = (process.env.HIT_PATH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const stop = () => {
  try {
    child.kill('SIGKILL');
  } catch {}
};
process.on('uncaughtException', (e) => {
  console.error(e);
  stop();
  process.exit(1);
});
try {
  await fetch(`http://127.0.0.1:${PORT}/health`);
  console.error(`port ${PORT} already answers`);
  process.exit(1);
} catch {}
const child = spawn(process.execPath, [...nodeArgs, tree + '/dist/apps/ingress/src/main.js'], { cwd: tree, env, stdio: ['ignore', 'pipe', 'pipe'] });
const log = createWriteStream(`${tree}/.local/bench-hit-path-${label}.ingress.log`);
child.stdout.pipe(log);
child.stderr.pipe(log);
const base = `http://127.0.0.1:${PORT}`;
for (let i = 0; i < 240; i++) {
  try {
    if ((await fetch(base + '/health')).status < 500) break;
  } catch {}
  await new Promise((r) => setTimeout(r, 250));
}
const redis = new Redis(process.env.REDIS_URL);
const run = `${process.pid}-${Date.now()}`;
const prompts = Array.from({ length: 16 }, (_, i) => `hit bench ${run} prompt ${i}: what is an exact cache?`);
const bodyOf = (content) => ({ model: 'sim-small', messages: [{ role: 'user', content }], max_tokens: 64, temperature: 0, stream: false });
for (const p of prompts) {
  const body = chatRequestBody.parse(bodyOf(p));
  const key = exactCacheKey('demo', body, undefined);
  const completion = {
    id: 'chatcmpl-x',
    object: 'chat.completion',
    created: 1,
    model: 'sim-small',
    choices: [{ index: 0, message: { role: 'assistant', content: 'An exact cache returns a stored answer for a byte-identical request. '.repeat(4) }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 20, completion_tokens: 60, total_tokens: 80 },
  };
  await redis.set(new TenantKeys('demo').exactCache(key), JSON.stringify(completion), 'EX', 3600);
}
const pidOf = (pat) => {
  try {
    return execSync(`pgrep -f '${pat}' | head -1`).toString().trim();
  } catch {
    return '';
  }
};
const pids = {
  ingress: String(child.pid),
  redis: pidOf(`redis-serve[r].*${process.env.REDIS_PORT}`),
  kafka: pidOf(`jav[a].*${process.env.INFRA_STATE_DIR}`),
  bench: String(process.pid),
};
const cpu = () =>
  Object.fromEntries(
    Object.entries(pids)
      .filter(([, p]) => p)
      .map(([n, p]) => {
        const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
        return [n, (Number(f[11]) + Number(f[12])) / 100];
      }),
  );
let idlePerS = {};
const ctx = () => {
  const t = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(t)[1]);
};
const redisReads = async () => Number(/total_reads_processed:(\d+)/.exec(await redis.info('stats'))[1]);
const redisCalls = async () => {
  const t = await redis.info('commandstats');
  let calls = 0;
  const by = {};
  for (const m of t.matchAll(/cmdstat_(\w+):calls=(\d+)/g)) {
    calls += Number(m[2]);
    by[m[1]] = Number(m[2]);
  }
  return { calls, by };
};
const resultsRead = async () => {
  const t = await (await fetch(base + '/metrics')).text();
  let n = 0;
  for (const m of t.matchAll(/kafka_messages_processed_total\{[^}]*topic="llm\.results\.v1"[^}]*outcome="(\w+)"[^}]*\} (\d+)/g)) if (m[1] !== 'skipped') n += Number(m[2]);
  return n;
};
async function level(conns, seconds) {
  const pool = new Pool(base, { connections: conns, pipelining: 1, keepAliveTimeout: 30_000 });
  const lat = [];
  let errors = 0,
    hits = 0,
    i = 0;
  const rr0 = await redisReads();
  const r0 = await redisCalls();
  const x0 = ctx();
  const k0 = await resultsRead();
  const c0 = cpu();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: conns }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        try {
          const res = await pool.request({
            path: '/v1/chat/completions',
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
            body: JSON.stringify(bodyOf(prompts[i++ % prompts.length])),
          });
          await res.body.text();
          if (res.statusCode !== 200) errors++;
          else if (String(res.headers['x-cache']) === 'HIT-EXACT') hits++;
        } catch {
          errors++;
        }
        lat.push(performance.now() - s);
      }
    }),
  );
  const span = (performance.now() - t0) / 1000;
  const c1 = cpu();
  await pool.close();
  const x1 = ctx();
  await new Promise((r) => setTimeout(r, 1500));
  const rr1 = await redisReads();
  const r1 = await redisCalls();
  const k1 = await resultsRead();
  const cmds = Object.fromEntries(
    Object.entries(r1.by)
      .map(([k, v]) => [k, ((v - (r0.by[k] ?? 0)) / lat.length).toFixed(2)])
      .filter(([, v]) => v !== '0.00'),
  );
  lat.sort((a, b) => a - b);
  const q = (x) => lat[Math.min(lat.length - 1, Math.floor(x * lat.length))].toFixed(2);
  const n = lat.length;
  const per = Object.fromEntries(Object.keys(c1).map((k) => [k, (((c1[k] - c0[k] - (k === 'bench' ? 0 : idlePerS[k] * span)) * 1000) / n).toFixed(3)]));
  console.log(
    JSON.stringify({
      label,
      conns,
      n,
      rps: Math.round(n / span),
      p50: q(0.5),
      p99: q(0.99),
      errors,
      hitRate: (hits / n).toFixed(3),
      cpuMsPerHit: Object.keys(idlePerS).length > 0 ? per : 'warm-up',
      wakeupsPerHit: ((x1 - x0) / n).toFixed(2),
      redisReadsPerHit: ((rr1 - rr0) / n).toFixed(2),
      redisCmdsPerHit: ((r1.calls - r0.calls) / n).toFixed(2),
      resultsReadPerHit: ((k1 - k0) / n).toFixed(2),
      cmds,
    }),
  );
}
// Warm-up: the first request loads the tokenizer's rank table (seconds on a loaded machine); then 400 more.
await level(1, 1);
await level(16, 6);
// Idle CPU (Kafka consumer polls, timers) per second, subtracted from each level: the per-hit figures are what hits add.
const i0 = cpu();
const it0 = performance.now();
await new Promise((r) => setTimeout(r, 5000));
const i1 = cpu();
idlePerS = Object.fromEntries(Object.keys(i1).map((k) => [k, (i1[k] - i0[k]) / ((performance.now() - it0) / 1000)]));
console.log(JSON.stringify({ label, idleCpuPerS: Object.fromEntries(Object.entries(idlePerS).map(([k, v]) => [k, v.toFixed(3)])) }));
for (const c of connsArg.split(',').map(Number)) await level(c, Number(durS));
await redis.quit();
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
