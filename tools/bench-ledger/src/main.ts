/**
 * `npm run bench:ledger [-- --events N]` (after `npm run build`): loads N generated usage events (default 10
 * million; 1,000 tenants, 30 days, Zipf-skewed tenants and users, diurnal hours, a model and feature mix)
 * onto llm.usage.v1 of its own topic prefix, then starts the real cost-ledger service (dist/, its own database)
 * and measures ingestion until the group has committed every offset. Then it checks the ledger's total against
 * the generator's own sum (exact to the micro-dollar) and times the main admin queries over HTTP.
 * Other flags: --tenants, --days, --query-rounds, --keep (keep the database and topics), --cpu-prof <dir> (the
 * service writes a V8 CPU profile there when it stops).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { databaseSchema, inheritedEnvironment, kafkaSchema, loadConfig, redisSchema } from '@llm/config';
import { TOPIC_SPECS, Topics, type UsageV1 } from '@llm/contracts';
import { migrate } from '@llm/db';
import { BulkProducer, createKafkaClient, ensureTopics, partitionFor, plannedTopics, SINGLE_BROKER, type RawMessage } from '@llm/kafka';
import { createLogger } from '@llm/telemetry';
import { Client } from 'pg';

const config = loadConfig(kafkaSchema.extend(databaseSchema.shape).extend(redisSchema.shape));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg('events', 10_000_000);
const TENANTS = arg('tenants', 1_000);
const DAYS = arg('days', 30);
const ROUNDS = arg('query-rounds', 200);
const KEEP = process.argv.includes('--keep');
const CPU_PROF_DIR = process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : undefined;
let service: ChildProcess | undefined;
const ADMIN = `bench-admin-${randomBytes(12).toString('hex')}`;
const PORT = 18_000 + Math.floor(Math.random() * 1_000);
const logger = createLogger({ service: 'bench-ledger', level: 'error' });

const MODELS = [
  { id: 'gpt-4o-mini', provider: 'openai', inP: 150_000, outP: 600_000, w: 45 },
  { id: 'gpt-4o', provider: 'openai', inP: 2_500_000, outP: 10_000_000, w: 10 },
  { id: 'llama-3.1-8b', provider: 'vllm', inP: 20_000, outP: 40_000, w: 35 },
  { id: 'claude-haiku', provider: 'anthropic', inP: 800_000, outP: 4_000_000, w: 10 },
];
const FEATURES = ['chat', 'search', 'summarize', 'extract', 'agent'];

/** Deterministic PRNG, so two runs load the same data. */
function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(42);

/** Zipf(s) sampler over 1..n by inverse CDF on a precomputed table. */
function zipf(n: number, s: number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1) ** s;
  return () => {
    const x = rnd() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const pick = <T extends { w: number }>(items: readonly T[]): T => {
  let x = rnd() * items.reduce((a, i) => a + i.w, 0);
  for (const i of items) if ((x -= i.w) < 0) return i;
  return items[items.length - 1]!;
};
// Busier in working hours (UTC 8-18).
const HOURS = Array.from({ length: 24 }, (_, h) => ({ h, w: h >= 8 && h < 18 ? 3 : 1 }));

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** User + system CPU a process used so far (Linux /proc, clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU of the whole Postgres server behind `port`: the postmaster, its live children and (cutime/cstime) the
 * children that exited, e.g. pool connections closed while idle. Anything else using that server counts too.
 */
function postgresCpuSeconds(port: string): number {
  const stats = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return [{ pid, cmd, fields }];
      } catch {
        return []; // The process ended meanwhile.
      }
    });
  const master = stats.find((s) => s.cmd[0]!.endsWith('/postgres') && s.cmd.includes('-p') && s.cmd[s.cmd.indexOf('-p') + 1] === port);
  if (!master) return Number.NaN;
  const ticks = (f: string[], from: number, to: number) => f.slice(from, to + 1).reduce((a, v) => a + Number(v), 0);
  let total = ticks(master.fields, 11, 14);
  for (const s of stats) if (s.fields[1] === master.pid) total += ticks(s.fields, 11, 12);
  return total / 100;
}

async function main(): Promise<void> {
  const suffix = randomBytes(4).toString('hex');
  const prefix = `bench-ledger-${suffix}.`;
  const dbName = `ledger_bench_${suffix}`;
  const adminUrl = new URL(config.DATABASE_URL);
  const admin = new Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const dbUrl = new URL(config.DATABASE_URL);
  dbUrl.pathname = `/${dbName}`;
  await migrate(dbUrl.toString());
  const pg = new Client({ connectionString: dbUrl.toString() });
  await pg.connect();
  const tenantIds = Array.from({ length: TENANTS }, (_, i) => `t${String(i).padStart(4, '0')}`);
  await pg.query(`insert into tenants (id, name, tier) select unnest($1::text[]), unnest($1::text[]), 'paid'`, [tenantIds]);

  const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'bench-ledger', logger });
  await ensureTopics(kafka, plannedTopics(prefix), SINGLE_BROKER);
  console.log(`[bench:ledger] ${EVENTS.toLocaleString()} events, ${TENANTS} tenants, ${DAYS} days; database ${dbName}, topics ${prefix}*`);

  // 1. Generate and load the topic (not timed as ingestion).
  const tenantOf = zipf(TENANTS, 1.1);
  const userOf = zipf(200, 1.2);
  const now = Date.now();
  const firstDay = Math.floor(now / 86_400_000) - DAYS + 1;
  const spec = TOPIC_SPECS[Topics.usage];
  const producer = new BulkProducer(kafka);
  await producer.connect();
  let expectedMicros = 0n;
  const sample: { tenant: string; request: string }[] = [];
  const genStart = performance.now();
  // Large produce requests, several in flight: the loader must not be what a 10 million event run waits on.
  const BATCH = 20_000;
  let pending: Promise<void>[] = [];
  for (let i = 0; i < EVENTS; i += BATCH) {
    const batch: RawMessage[] = [];
    for (let j = i; j < Math.min(EVENTS, i + BATCH); j++) {
      const tenant = tenantIds[tenantOf()]!;
      const m = pick(MODELS);
      const cache = rnd() < 0.15;
      const tokensIn = 50 + Math.floor(rnd() * 2_000);
      const tokensOut = cache ? 0 : 10 + Math.floor(rnd() * 600);
      const cost = cache ? 0 : Math.ceil((tokensIn * m.inP + tokensOut * m.outP) / 1_000_000);
      const day = firstDay + Math.floor(rnd() * DAYS);
      const at = Math.min(now - 1_000, day * 86_400_000 + pick(HOURS).h * 3_600_000 + Math.floor(rnd() * 3_600_000));
      const fallback = !cache && rnd() < 0.03;
      const event: UsageV1 = {
        request_id: randomUUID(),
        call_id: cache ? 'cache' : fallback ? 'c2' : 'c1',
        attempt: 1,
        tenant_id: tenant,
        user_id: `user-${userOf()}`,
        feature: FEATURES[Math.floor(rnd() * FEATURES.length)]!,
        model: m.id,
        provider: cache ? 'cache' : m.provider,
        source: cache ? 'cache' : 'model',
        status: 'succeeded',
        tokens_in: tokensIn,
        tokens_cached_in: 0,
        tokens_out: tokensOut,
        tokens_estimated: false,
        cost_micros: cost,
        saved_micros: cache ? Math.ceil((tokensIn * m.inP + 300 * m.outP) / 1_000_000) : 0,
        latency_ms: cache ? 2 : 200 + Math.floor(rnd() * 3_000),
        retries: rnd() < 0.05 ? 1 : 0,
        fallback,
        occurred_at: new Date(at).toISOString(),
      };
      expectedMicros += BigInt(cost);
      if (j % Math.max(1, Math.floor(EVENTS / 1_000)) === 0) sample.push({ tenant, request: event.request_id });
      batch.push({ topic: `${prefix}${Topics.usage}`, key: tenant, partition: partitionFor(spec, tenant), value: JSON.stringify(event), headers: { 'x-tenant-id': tenant } });
    }
    pending.push(producer.sendBatch(batch));
    if (pending.length >= 4) {
      await Promise.all(pending);
      pending = [];
    }
    if ((i / BATCH) % 25 === 0 && i > 0) console.log(`[bench:ledger] loaded ${i.toLocaleString()}`);
  }
  await Promise.all(pending);
  await producer.disconnect();
  const genS = (performance.now() - genStart) / 1000;
  console.log(`[bench:ledger] topic loaded in ${genS.toFixed(1)} s (${Math.round(EVENTS / genS).toLocaleString()} events/s generated and produced)`);

  // 2. The real service consumes it.
  const kadmin = kafka.admin();
  await kadmin.connect();
  const topic = `${prefix}${Topics.usage}`;
  const ends = await kadmin.fetchTopicOffsets(topic);
  const total = ends.reduce((a, p) => a + Number(p.high), 0);
  const pgPort = new URL(config.DATABASE_URL).port || '5432';
  const pgCpuBefore = postgresCpuSeconds(pgPort);
  const started = performance.now();
  const nodeArgs = CPU_PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF_DIR] : [];
  const svc = spawn(process.execPath, [...nodeArgs, join(__dirname, '../../../apps/cost-ledger/src/main.js')], {
    env: {
      ...inheritedEnvironment(),
      DATABASE_URL: dbUrl.toString(),
      KAFKA_TOPIC_PREFIX: prefix,
      HTTP_PORT: String(PORT),
      HTTP_HOST: '127.0.0.1',
      ADMIN_TOKEN: ADMIN,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
    },
    // The service's relative paths (the model catalog) are from the repository root.
    cwd: join(__dirname, '../../../..'),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  service = svc;
  let consumed = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1_000));
    // The group coordinator may still be moving when the service just joined: a retriable error, asked again.
    const fetched = await kadmin.fetchOffsets({ groupId: 'cost-ledger', topics: [topic] }).catch((err: { retriable?: boolean }) => {
      if (err.retriable) return undefined;
      throw err;
    });
    if (!fetched) continue;
    const [offsets] = fetched;
    consumed = offsets!.partitions.reduce((a, p) => a + Math.max(0, Number(p.offset)), 0);
    const secs = (performance.now() - started) / 1000;
    if (Math.round(secs) % 10 === 0) console.log(`[bench:ledger] ${consumed.toLocaleString()} / ${total.toLocaleString()} committed after ${secs.toFixed(0)} s`);
    if (consumed >= total) break;
    if (svc.exitCode !== null) throw new Error(`cost-ledger exited with ${service.exitCode}`);
  }
  const ingestS = (performance.now() - started) / 1000;
  const cpuS = cpuSeconds(svc.pid!);
  const pgCpuS = postgresCpuSeconds(pgPort) - pgCpuBefore;
  await kadmin.disconnect();
  const { rows: sums } = await pg.query<{ cost: string; calls: string }>('select sum(cost_micros)::text cost, sum(calls)::text calls from usage_daily_tenants');
  const exact = BigInt(sums[0]!.cost) === expectedMicros && Number(sums[0]!.calls) === EVENTS;
  console.log(
    `[bench:ledger] ingestion: ${EVENTS.toLocaleString()} events in ${ingestS.toFixed(1)} s = ${Math.round(EVENTS / ingestS).toLocaleString()} events/s (service boot included)`,
  );
  console.log(
    `[bench:ledger] cost-ledger process CPU: ${cpuS.toFixed(1)} s (${Math.round(EVENTS / cpuS).toLocaleString()} events per CPU-second of the service; Postgres and the broker not included)`,
  );
  console.log(
    `[bench:ledger] Postgres server CPU: ${pgCpuS.toFixed(1)} s (${Math.round(EVENTS / pgCpuS).toLocaleString()} events per CPU-second); service + Postgres: ${Math.round(EVENTS / (cpuS + pgCpuS)).toLocaleString()} events per CPU-second`,
  );
  console.log(`[bench:ledger] machine load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  console.log(`[bench:ledger] totals: ledger ${sums[0]!.cost} µ$ / ${sums[0]!.calls} calls, generator ${expectedMicros} µ$ / ${EVENTS} -> ${exact ? 'EXACT' : 'MISMATCH'}`);
  const { rows: size } = await pg.query<{ n: string }>('select count(*)::text n from usage_events');
  console.log(`[bench:ledger] usage_events rows: ${size[0]!.n}`);
  await pg.query('analyze');

  // 3. Admin queries over HTTP.
  const base = `http://127.0.0.1:${PORT}/v1/admin`;
  const from = new Date(firstDay * 86_400_000).toISOString().slice(0, 10);
  const to = new Date((firstDay + DAYS) * 86_400_000).toISOString().slice(0, 10);
  const heavy = tenantIds[0]!;
  // The all-tenants grouping is paged (1,000 groups by default): walk it once in 10,000-group pages, which is
  // what an export costs, and keep the cursors so the timed reads below can start anywhere in it.
  const allTenants = `/usage?from=${from}&to=${to}&group_by=tenant,model,day`;
  const cursors: string[] = [];
  const walkStart = performance.now();
  let groups = 0;
  for (let next: string | null = ''; next !== null;) {
    const res = await fetch(`${base}${allTenants}&limit=10000${next ? `&cursor=${next}` : ''}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    if (res.status !== 200) throw new Error(`all-tenants walk: HTTP ${res.status}`);
    const page = (await res.json()) as { rows: unknown[]; next_cursor: string | null };
    groups += page.rows.length;
    next = page.next_cursor;
    if (next) cursors.push(next);
  }
  console.log(`[bench:ledger] all tenants x model x day, every page walked: ${groups.toLocaleString()} groups in ${(performance.now() - walkStart).toFixed(0)} ms`);
  const queries: [string, () => string][] = [
    ['usage tenant x model x day, 30 days, one tenant', () => `/usage?from=${from}&to=${to}&group_by=tenant,model,day&tenant_id=${tenantIds[tenantOf()]}`],
    ['usage tenant x model x day, 30 days, heaviest tenant', () => `/usage?from=${from}&to=${to}&group_by=tenant,model,day&tenant_id=${heavy}`],
    ['usage tenant x model x day, 30 days, all tenants, page 1', () => allTenants],
    ['usage tenant x model x day, all tenants, a later page', () => `${allTenants}${cursors.length ? `&cursor=${cursors[Math.floor(rnd() * cursors.length)]}` : ''}`],
    ['top 10 spenders, 30 days', () => `/top-spenders?from=${from}&to=${to}&limit=10`],
    ["one tenant's daily series", () => `/usage?from=${from}&to=${to}&group_by=day&tenant_id=${tenantIds[tenantOf()]}`],
    [
      "one request's cost",
      () => {
        const s = sample[Math.floor(rnd() * sample.length)]!;
        return `/tenants/${s.tenant}/requests/${s.request}`;
      },
    ],
  ];
  for (const [name, path] of queries) {
    const times: number[] = [];
    const rounds = ROUNDS;
    for (let i = 0; i < rounds + 5; i++) {
      const t = performance.now();
      const res = await fetch(`${base}${path()}`, { headers: { authorization: `Bearer ${ADMIN}` } });
      await res.text();
      if (res.status !== 200) throw new Error(`${name}: HTTP ${res.status}`);
      if (i >= 5) times.push(performance.now() - t);
    }
    console.log(`[bench:ledger] ${name.padEnd(52)} p50 ${percentile(times, 50).toFixed(1)} ms  p99 ${percentile(times, 99).toFixed(1)} ms  (${rounds} rounds)`);
  }

  svc.kill('SIGTERM');
  await new Promise((r) => svc.once('exit', r));
  await pg.end();
  if (!KEEP) {
    await admin.query(`drop database ${dbName} with (force)`);
    const ka = kafka.admin();
    await ka.connect();
    await ka.deleteTopics({ topics: (await ka.listTopics()).filter((t) => t.startsWith(prefix)) }).catch(() => undefined);
    await ka.disconnect();
  }
  await admin.end();
  if (!exact) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error('[bench:ledger] failed:', err);
  service?.kill('SIGTERM');
  process.exit(1);
});
