import { homedir } from 'node:os';
import { join } from 'node:path';
import { csv, kafkaSchema, loadConfig, nonNegativeInt, positiveInt } from '@llm/config';
import { z } from 'zod';

/** Every system the bench can drive; `-stream` variants measure time to first token. */
export const ALL_SYSTEMS = ['direct', 'portkey', 'litellm', 'platform-miss', 'platform-hit', 'direct-stream', 'portkey-stream', 'platform-stream'] as const;
/**
 * Not portkey-stream: Portkey 1.15.2 answers every stream with 500 on Node 24 (its header rewrite appends to the
 * fetch response's immutable headers: "TypeError: immutable"); `--systems ...,portkey-stream` still runs it.
 */
const DEFAULT_SYSTEMS = ALL_SYSTEMS.filter((s) => s !== 'portkey-stream');
export type SystemName = (typeof ALL_SYSTEMS)[number];
export const ALL_SCENARIOS = ['open', 'closed', 'scale', 'priority'] as const;
export type Scenario = (typeof ALL_SCENARIOS)[number];

export interface Topology {
  ingress: number;
  workers: number;
}

/** Settings from the environment (read once through @llm/config); flags override the BENCH_* ones. */
export const benchEnvSchema = kafkaSchema.extend({
  /** A running platform to measure instead of starting one (`make up`: http://127.0.0.1:8080). */
  INGRESS_URL: z.url().optional(),
  /** model-sim of that running platform. */
  SIM_URL: z.url().default('http://127.0.0.1:8090'),
  REDIS_URL: z.string().default('redis://127.0.0.1:16379'),
  DATABASE_URL: z.string().default('postgresql://llm:llm@127.0.0.1:15432/llm'),
  INFRA_STATE_DIR: z.string().optional(),
  DEMO_API_KEY: z.string().default('sk-demo-local-0000000000000000'),
  DEMO_FREE_TENANT: z.string().default('demo-free'),
  /**
   * First port of the processes the bench starts (services, model-sim, gateways); nothing fixed at 8080-8090.
   * Below 32768: ports in the ephemeral range can be taken by any outgoing connection of the machine.
   */
  BENCH_BASE_PORT: positiveInt(31_000),
  BENCH_CACHE_DIR: z.string().default(join(homedir(), '.cache/llm-platform/bench')),
  BENCH_LOG_LEVEL: z.string().default('info'),
  /** Extra node flags for the services the bench starts, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them under load. */
  BENCH_NODE_ARGS: z.string().optional(),
  BENCH_RATES: csv.optional(),
  BENCH_DURATION_S: z.coerce.number().positive().optional(),
  BENCH_SYSTEMS: csv.optional(),
  BENCH_TOPOLOGY: csv.optional(),
  BENCH_SCENARIO: csv.optional(),
  BENCH_OUT: z.string().optional(),
  BENCH_CONNECTIONS: positiveInt(256),
  BENCH_TIMEOUT_MS: positiveInt(10_000),
  BENCH_FLOOD: positiveInt(3_000),
  /** Low enough for an unloaded platform to answer without queueing (the issue measured 37 req/s at one connection). */
  BENCH_PAID_RATE: positiveInt(5),
  BENCH_TRACE: z.string().optional(),
  BENCH_TRACE_SPEEDUP: z.coerce.number().positive().default(10),
  BENCH_SETTLE_MS: nonNegativeInt(1_000),
});
export type BenchEnv = z.infer<typeof benchEnvSchema>;

export interface BenchOptions {
  quick: boolean;
  rates: number[];
  durationS: number;
  closedConnections: number[];
  systems: SystemName[];
  topologies: Topology[];
  scenarios: Scenario[];
  out?: string;
  /** Replay arrival times from this trace CSV instead of the fixed rates. */
  trace?: string;
}

const FULL_RATES = [50, 100, 200, 400, 800, 1200, 1600];
const QUICK_RATES = [50, 200];

/** Flags (`--quick`, `--rates 50,100`, `--rates=50,100`, ...) over the BENCH_* environment. Pure. */
export function parseOptions(
  argv: readonly string[],
  env: Pick<BenchEnv, 'BENCH_RATES' | 'BENCH_DURATION_S' | 'BENCH_SYSTEMS' | 'BENCH_TOPOLOGY' | 'BENCH_SCENARIO' | 'BENCH_OUT' | 'BENCH_TRACE'>,
): BenchOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (arg === '--quick' || arg === '--help') flags.set(arg.slice(2), 'true');
    else flags.set(arg.slice(2), argv[++i] ?? '');
  }
  const known = new Set(['quick', 'help', 'rates', 'duration', 'systems', 'topology', 'scenario', 'out', 'trace', 'connections']);
  for (const k of flags.keys()) if (!known.has(k)) throw new Error(`unknown flag --${k}`);
  const list = (flag: string, fromEnv?: string[]) =>
    flags.has(flag)
      ? flags
          .get(flag)!
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : fromEnv;
  const quick = flags.get('quick') === 'true';

  const rates = (list('rates', env.BENCH_RATES) ?? (quick ? QUICK_RATES : FULL_RATES).map(String)).map((r) => {
    const n = Number(r);
    if (!(n > 0)) throw new Error(`--rates: ${r} is not a positive number`);
    return n;
  });
  const durationS = flags.has('duration') ? Number(flags.get('duration')) : (env.BENCH_DURATION_S ?? (quick ? 2 : 5));
  if (!(durationS > 0)) throw new Error('--duration must be a positive number of seconds');
  const systems = oneOf('systems', list('systems', env.BENCH_SYSTEMS) ?? [...DEFAULT_SYSTEMS], ALL_SYSTEMS);
  const scenarios = oneOf('scenario', list('scenario', env.BENCH_SCENARIO) ?? [...ALL_SCENARIOS], ALL_SCENARIOS);
  const topologies = (list('topology', env.BENCH_TOPOLOGY) ?? ['1x1', '2x2']).map(parseTopology).sort((a, b) => a.ingress + a.workers - (b.ingress + b.workers));
  const trace = flags.get('trace') ?? env.BENCH_TRACE;
  return {
    quick,
    rates,
    durationS,
    closedConnections: (list('connections') ?? (quick ? ['1', '16'] : ['1', '16', '64'])).map((c) => {
      const n = Number(c);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--connections: ${c} is not a positive integer`);
      return n;
    }),
    systems,
    topologies,
    scenarios,
    out: flags.get('out') ?? env.BENCH_OUT,
    ...(trace ? { trace } : {}),
  };
}

/** `2x2` = two ingress and two inference-worker instances. */
export function parseTopology(s: string): Topology {
  const m = /^(\d+)x(\d+)$/.exec(s);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`--topology: ${s} is not <ingress>x<workers>, e.g. 2x2`);
  return { ingress: Number(m[1]), workers: Number(m[2]) };
}

export const topologyLabel = (t: Topology) => `${t.ingress}x${t.workers}`;

function oneOf<T extends string>(flag: string, values: string[], allowed: readonly T[]): T[] {
  for (const v of values) if (!allowed.includes(v as T)) throw new Error(`--${flag}: ${v} is not one of ${allowed.join(', ')}`);
  return values as T[];
}

export const loadBenchEnv = (): BenchEnv => loadConfig(benchEnvSchema);

export const USAGE = `npm run bench:pipeline -- [--quick] [--rates 50,100,...] [--duration S] [--systems ${ALL_SYSTEMS.join(',')}]
    [--topology 1x1,2x2] [--scenario ${ALL_SCENARIOS.join(',')}] [--connections 1,16,64] [--out FILE.json] [--trace conv|code|FILE.csv]`;
