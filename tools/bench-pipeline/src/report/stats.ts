/** The latency and sustained-rate arithmetic of the report; pure, so it is unit-tested on its own. */

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array (p in 0..100); NaN for no samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = Float64Array.from(samples).sort();
  const arr = Array.from(sorted);
  return { p50: percentile(arr, 50), p95: percentile(arr, 95), p99: percentile(arr, 99), max: arr.length ? arr[arr.length - 1]! : Number.NaN };
}

/**
 * Latency a system adds over calling model-sim directly at the same rate: percentile by percentile (the two runs
 * are separate request streams, so there are no pairs to subtract). Never below zero: at a given percentile a
 * system cannot be faster than the upstream it forwards to, and a negative figure is noise.
 */
export function addedLatency(system: Percentiles, direct: Percentiles): Omit<Percentiles, 'max'> {
  const sub = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.max(0, a - b));
  return { p50: sub(system.p50, direct.p50), p95: sub(system.p95, direct.p95), p99: sub(system.p99, direct.p99) };
}

export interface LevelOutcome {
  targetRate: number;
  achievedRate: number;
  sent: number;
  errors: number;
  /** p99 added latency over direct at this rate (ms); NaN when unknown. */
  addedP99: number;
}

/** Whether a system kept up with an open-loop level: at least 90% of the offered rate done, errors at most 3%. */
export function sustains(level: Pick<LevelOutcome, 'targetRate' | 'achievedRate' | 'sent' | 'errors'>, minShare = 0.9, maxErrorShare = 0.03): boolean {
  if (level.sent === 0) return false;
  return level.achievedRate >= minShare * level.targetRate && level.errors / level.sent <= maxErrorShare;
}

/**
 * The highest offered rate a system sustained with p99 added latency under `budgetMs`, counting only the levels
 * below the first one that failed it (a lucky level above a failed one is not a sustained rate); 0 when none.
 */
export function highestSustainedRate(levels: readonly LevelOutcome[], budgetMs: number): number {
  let best = 0;
  for (const level of [...levels].sort((a, b) => a.targetRate - b.targetRate)) {
    if (!sustains(level) || !(level.addedP99 < budgetMs)) break;
    best = level.targetRate;
  }
  return best;
}

/** Achieved throughput: successful requests over the time from the first scheduled send to the last completion. */
export function achievedRate(ok: number, spanMs: number): number {
  return spanMs > 0 ? (ok * 1000) / spanMs : 0;
}
