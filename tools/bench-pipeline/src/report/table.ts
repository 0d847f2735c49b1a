import { chargedProcesses, type LevelResult } from '../levels';
import type { PriorityResult } from '../scenarios/priority';

export interface BenchReport {
  startedAt: string;
  machine: { cpus: number; node: string };
  options: Record<string, unknown>;
  endpoints: Record<string, unknown>;
  levels: LevelResult[];
  /** Per system: the highest offered rate sustained with p99 added latency under 50 ms and under 100 ms. */
  sustained: Record<string, { under50ms: number; under100ms: number }>;
  priority?: PriorityResult;
  notes: string[];
}

const ms = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '-' : n >= 100 ? n.toFixed(0) : n.toFixed(1));
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

function errorsText(e: Record<string, number>): string {
  const parts = Object.entries(e).map(([k, v]) => `${k}:${v}`);
  return parts.length ? parts.join(' ') : '0';
}

/** The charged processes' CPU per 1,000 requests, largest first, as `name 1.23` (seconds). */
function topCpu(l: LevelResult, n = 4): string {
  const charged = chargedProcesses(l.system);
  return [...l.cpu]
    .filter((c) => charged(c.name) && c.cpuSPer1k >= 0.005)
    .sort((a, b) => b.cpuSPer1k - a.cpuSPer1k)
    .slice(0, n)
    .map((c) => `${c.name} ${c.cpuSPer1k.toFixed(2)}`)
    .join(', ');
}

/** p50 (TTFT for streams) as a multiple of model-sim's own at the same level: the side-by-side ratio. */
function ratioToDirect(l: LevelResult, all: readonly LevelResult[]): string {
  if (l.system.startsWith('direct')) return '';
  const stream = l.ttft !== undefined;
  const base = all.find((b) => b.system === (stream ? 'direct-stream' : 'direct') && b.mode === l.mode && b.targetRate === l.targetRate && b.connections === l.connections);
  const num = (l.ttft ?? l.latency).p50;
  const den = base ? (base.ttft ?? base.latency).p50 : Number.NaN;
  return den > 0 && !Number.isNaN(num) ? `${(num / den).toFixed(1)}` : '-';
}

/** Memory of every process at the end of the last level it was measured in (MiB). */
export function memoryLine(levels: readonly LevelResult[]): string {
  const last = new Map<string, number>();
  for (const l of levels) for (const c of l.cpu) last.set(c.name, c.rssMb);
  return [...last].map(([name, mb]) => `${name} ${mb.toFixed(0)}`).join(', ');
}

export function levelTable(levels: readonly LevelResult[], mode: 'open' | 'closed'): string {
  const head = [
    pad('system', 22),
    lpad(mode === 'open' ? 'offered' : 'conns', 8),
    lpad('req/s', 8),
    lpad('p50', 7),
    lpad('p95', 7),
    lpad('p99', 7),
    lpad('+p50', 7),
    lpad('+p95', 7),
    lpad('+p99', 7),
    lpad('x dir', 6),
    lpad('hits', 5),
    lpad('cpu s/1k', 9),
    '  errors',
    '  top cpu s/1k',
  ].join(' ');
  const rows = levels
    .filter((l) => l.mode === mode)
    .map((l) => {
      const lat = l.ttft ?? l.latency;
      return [
        pad(l.system + (l.ttft ? ' (ttft)' : ''), 22),
        lpad(String(mode === 'open' ? l.targetRate : l.connections), 8),
        lpad(l.achievedRate.toFixed(0), 8),
        lpad(ms(lat.p50), 7),
        lpad(ms(lat.p95), 7),
        lpad(ms(lat.p99), 7),
        lpad(ms(l.added?.p50), 7),
        lpad(ms(l.added?.p95), 7),
        lpad(ms(l.added?.p99), 7),
        lpad(ratioToDirect(l, levels), 6),
        lpad(l.system.includes('hit') && l.sent ? `${Math.round((100 * l.cacheHits) / l.sent)}%` : '', 5),
        lpad(l.cpuSPer1kTotal.toFixed(2), 9),
        '  ' + errorsText(l.errors),
        '  ' + topCpu(l),
      ].join(' ');
    });
  return [head, ...rows].join('\n');
}

export function renderText(r: BenchReport): string {
  const out: string[] = [];
  out.push(`bench:pipeline  ${r.startedAt}  ${r.machine.cpus} cpus, node ${r.machine.node}`);
  out.push(
    "latency in ms from the scheduled send (open loop); +pXX = added over model-sim directly at the same level; x dir = p50 / direct p50; cpu = CPU seconds per 1,000 requests summed over the processes each system's requests pass through (model-sim, the gateway, or the services + Kafka/Redis/Postgres)",
  );
  if (r.levels.some((l) => l.mode === 'open')) out.push('', 'OPEN LOOP (fixed offered rates)', levelTable(r.levels, 'open'));
  if (r.levels.some((l) => l.mode === 'closed')) out.push('', 'CLOSED LOOP (connections sweep)', levelTable(r.levels, 'closed'));
  if (r.levels.length) out.push('', 'MEMORY (RSS MiB at the end of the last level)', `  ${memoryLine(r.levels)}`);
  out.push('', 'HIGHEST SUSTAINED RATE (>=90% of offered done, <=3% errors, p99 added under the budget)');
  for (const [system, s] of Object.entries(r.sustained))
    out.push(`  ${pad(system, 22)} under 50 ms: ${lpad(String(s.under50ms), 5)} req/s   under 100 ms: ${lpad(String(s.under100ms), 5)} req/s`);
  if (r.priority) {
    const p = r.priority;
    out.push('', `PRIORITY: paid realtime at ${p.paidRate} req/s, flood of ${p.flood} batch events (free tenant) on llm.inbound.v1`);
    out.push(`  unloaded      n=${p.unloaded.n} p50 ${ms(p.unloaded.p50)} p99 ${ms(p.unloaded.p99)} ms errors ${p.unloaded.errors}`);
    out.push(
      `  during flood  n=${p.duringFlood.n} p50 ${ms(p.duringFlood.p50)} p99 ${ms(p.duringFlood.p99)} ms errors ${p.duringFlood.errors}   p99 ratio ${p.p99Ratio.toFixed(2)}x (target <= 2x)`,
    );
    out.push(
      `  flood published in ${p.floodPublishS.toFixed(1)} s (${p.publishFailed} publishes failed/unknown), drained after ${p.floodDrainS.toFixed(1)} s; results ${JSON.stringify(p.resultsByStatus)}; without a result when the wait ended (lost unless still queued): ${p.lost}`,
    );
  }
  if (r.notes.length) out.push('', 'NOTES', ...r.notes.map((n) => `  - ${n}`));
  return out.join('\n');
}
