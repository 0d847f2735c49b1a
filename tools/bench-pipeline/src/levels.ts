import type { ProcessUsage } from './platform/cpu-meter';
import type { Sample } from './load/target';
import { achievedRate, addedLatency, percentiles, type Percentiles } from './report/stats';

/** One system at one load level: what the report prints and the JSON holds. */
export interface LevelResult {
  system: string;
  mode: 'open' | 'closed';
  /** Offered rate (open loop). */
  targetRate?: number;
  /** Callers (closed loop). */
  connections?: number;
  durationS: number;
  sent: number;
  ok: number;
  errors: Record<string, number>;
  achievedRate: number;
  latency: Percentiles;
  /** Time to first content token (streams). */
  ttft?: Percentiles;
  /** Over direct at the same level (TTFT for streams); set once both are measured. */
  added?: { p50: number; p95: number; p99: number };
  cacheHits: number;
  /** CPU seconds per 1,000 requests, per process, and the processes' memory at the end of the level. */
  cpu: { name: string; cpuS: number; cpuSPer1k: number; rssMb: number }[];
  cpuSPer1kTotal: number;
}

export function summarizeLevel(
  base: Pick<LevelResult, 'system' | 'mode' | 'targetRate' | 'connections' | 'durationS'>,
  samples: readonly Sample[],
  spanMs: number,
  usage: readonly ProcessUsage[],
): LevelResult {
  const charged = chargedProcesses(base.system);
  const ok = samples.filter((s) => s.ok);
  const errors: Record<string, number> = {};
  for (const s of samples) if (!s.ok) errors[s.errorKind ?? 'other'] = (errors[s.errorKind ?? 'other'] ?? 0) + 1;
  const ttfts = ok.flatMap((s) => (s.ttftMs === undefined ? [] : [s.ttftMs]));
  const per1k = (cpuS: number) => (samples.length ? (cpuS * 1000) / samples.length : 0);
  const cpu = usage.map((u) => ({ name: u.name, cpuS: u.cpuS, cpuSPer1k: per1k(u.cpuS), rssMb: u.rssMb }));
  return {
    ...base,
    sent: samples.length,
    ok: ok.length,
    errors,
    achievedRate: achievedRate(ok.length, spanMs),
    latency: percentiles(ok.map((s) => s.latencyMs)),
    ...(ttfts.length ? { ttft: percentiles(ttfts) } : {}),
    cacheHits: samples.filter((s) => s.cacheHit).length,
    cpu,
    cpuSPer1kTotal: cpu.filter((c) => charged(c.name)).reduce((sum, c) => sum + c.cpuSPer1k, 0),
  };
}

/**
 * The processes a system's requests run through, whose CPU its total is charged with: model-sim for all, the
 * gateway for a gateway, and the services plus Kafka, Redis and Postgres for the platform. Never the bench.
 */
export function chargedProcesses(system: string): (process: string) => boolean {
  if (system.startsWith('direct')) return (p) => p === 'model-sim';
  if (system.startsWith('portkey')) return (p) => p === 'model-sim' || p === 'portkey';
  if (system.startsWith('litellm')) return (p) => p === 'model-sim' || p === 'litellm';
  return (p) => p !== 'portkey' && p !== 'litellm' && !p.startsWith('bench');
}

/** Streams are compared on time to first token, everything else on full latency. */
const measureOf = (l: LevelResult): Percentiles | undefined => l.ttft ?? l.latency;

/** Fills `added` for every level that has a baseline (same mode and level; `direct-stream` for streams). */
export function attachAddedLatency(levels: LevelResult[]): void {
  const key = (l: LevelResult) => `${l.mode}:${l.targetRate ?? ''}:${l.connections ?? ''}`;
  const baselines = new Map<string, LevelResult>();
  for (const l of levels) if (l.system === 'direct' || l.system === 'direct-stream') baselines.set(`${l.system}|${key(l)}`, l);
  for (const l of levels) {
    if (l.system.startsWith('direct')) continue;
    const stream = l.system.includes('stream');
    const base = baselines.get(`${stream ? 'direct-stream' : 'direct'}|${key(l)}`);
    const sys = stream ? measureOf(l) : l.latency;
    const ref = base ? (stream ? measureOf(base) : base.latency) : undefined;
    if (sys && ref) l.added = addedLatency(sys, ref);
  }
}
