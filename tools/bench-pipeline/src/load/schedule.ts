/**
 * Open-loop arrival schedules: the send time of every request is fixed before the level starts, so a slow
 * system cannot slow the load down (no coordinated omission). Offsets are milliseconds from the level's start.
 */

/** Evenly spaced arrivals at `rate` req/s for `durationS` seconds. */
export function fixedRateSchedule(rate: number, durationS: number): number[] {
  if (!(rate > 0) || !(durationS > 0)) return [];
  const n = Math.floor(rate * durationS);
  const gap = 1000 / rate;
  return Array.from({ length: n }, (_, i) => i * gap);
}

/**
 * Arrival timestamps of a trace (Azure LLM inference trace: `YYYY-MM-DD HH:MM:SS.fffffff`) as offsets from its
 * first row, sped up `speedup` times and cut at `durationS` seconds of the result.
 */
export function traceSchedule(csv: string, speedup: number, durationS: number): number[] {
  const lines = csv
    .split('\n')
    .slice(1)
    .filter((l) => l.trim().length > 0);
  const times = lines.map((l) => parseTraceTimestamp(l.split(',')[0]!));
  if (times.length === 0) return [];
  const first = times[0]!;
  const limit = durationS * 1000;
  const out: number[] = [];
  for (const t of times) {
    const offset = (t - first) / speedup;
    if (offset >= limit) break;
    out.push(offset);
  }
  return out;
}

/** Milliseconds since the epoch (UTC) of a trace timestamp, keeping the sub-millisecond digits. */
export function parseTraceTimestamp(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(s.trim());
  if (!m) throw new Error(`not a trace timestamp: ${s}`);
  const [, y, mo, d, h, mi, sec, frac = '0'] = m;
  const whole = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  return whole + Number(`0.${frac}`) * 1000;
}

/** The mean rate of a schedule in req/s (for labelling a trace level). */
export function scheduleRate(offsets: readonly number[], durationS: number): number {
  return durationS > 0 ? offsets.length / durationS : 0;
}
