/** One labelled prompt of a benchmark with what each model would cost on it (micro-dollars). */
export interface LabelledRow {
  benchmark: string;
  promptTokens: number;
  /** MMLU's subject; undefined where the benchmark has none. */
  group?: string;
  prompt: string;
  weakCorrect: boolean;
  strongCorrect: boolean;
  weakCostMicros: number;
  strongCostMicros: number;
  /** The weak model's answer, where the benchmark file has it (GSM8K): what a cascade's self-check reads. */
  weakAnswer?: string;
}

/**
 * `route`: each row goes to one model before any call. `cascade`: every row is answered by the weak model first
 * and escalated rows also pay the strong call (the weak call is charged either way).
 */
export type RoutingMode = 'route' | 'cascade';

export interface CurvePoint {
  threshold: number;
  strongShare: number;
  /** Cost of the routed run over the cost of sending everything to the strong model. */
  costRelative: number;
  /** Correct answers of the routed run over those of the always-strong run. */
  qualityRelative: number;
  accuracy: number;
}

/** Routes each row to the strong model when its score is at or above the threshold and measures the outcome. */
export function evaluateAt(rows: readonly LabelledRow[], scores: readonly number[], threshold: number, mode: RoutingMode = 'route'): CurvePoint {
  let strong = 0;
  let correct = 0;
  let cost = 0;
  let strongCost = 0;
  let strongCorrect = 0;
  rows.forEach((r, i) => {
    const toStrong = scores[i]! >= threshold;
    if (toStrong) strong++;
    if (toStrong ? r.strongCorrect : r.weakCorrect) correct++;
    cost += toStrong ? r.strongCostMicros + (mode === 'cascade' ? r.weakCostMicros : 0) : r.weakCostMicros;
    strongCost += r.strongCostMicros;
    if (r.strongCorrect) strongCorrect++;
  });
  const n = rows.length;
  return {
    threshold,
    strongShare: n === 0 ? 0 : strong / n,
    costRelative: strongCost === 0 ? 0 : cost / strongCost,
    qualityRelative: strongCorrect === 0 ? 0 : correct / strongCorrect,
    accuracy: n === 0 ? 0 : correct / n,
  };
}

/**
 * The whole cost/quality curve: one point per threshold that changes the strong share by about a step of
 * `resolution` (scores sorted high to low; every distinct score boundary is a possible threshold).
 */
export function sweep(rows: readonly LabelledRow[], scores: readonly number[], resolution = 0.01, mode: RoutingMode = 'route'): CurvePoint[] {
  const sorted = [...scores].sort((a, b) => b - a);
  const thresholds = new Set<number>([Number.POSITIVE_INFINITY]);
  const step = Math.max(1, Math.floor(sorted.length * resolution));
  for (let k = step; k < sorted.length; k += step) thresholds.add(sorted[k - 1]!);
  thresholds.add(Number.NEGATIVE_INFINITY);
  return [...thresholds].map((t) => evaluateAt(rows, scores, t, mode)).sort((a, b) => a.strongShare - b.strongShare);
}

/** The cheapest point of a curve that keeps at least `quality` of the strong model's; undefined when none does. */
export function cheapestAt(curve: readonly CurvePoint[], quality: number): CurvePoint | undefined {
  return curve.filter((p) => p.qualityRelative >= quality).sort((a, b) => a.costRelative - b.costRelative)[0];
}

/** The highest threshold (fewest strong calls) whose quality on these rows reaches `quality`. */
export function thresholdFor(rows: readonly LabelledRow[], scores: readonly number[], quality: number, mode: RoutingMode = 'route'): number {
  const point = sweep(rows, scores, 0.005, mode).find((p) => p.qualityRelative >= quality);
  return point ? point.threshold : Number.NEGATIVE_INFINITY;
}

/**
 * The fit/held-out split: `file-order` (the acceptance split) takes the first half of the rows as they come;
 * `per-group` takes the first half of each group (MMLU subject), so every held-out subject was seen in the fit.
 */
export function halves(rows: readonly LabelledRow[], mode: 'file-order' | 'per-group'): { train: LabelledRow[]; test: LabelledRow[] } {
  if (mode === 'file-order') {
    const half = Math.floor(rows.length / 2);
    return { train: rows.slice(0, half), test: rows.slice(half) };
  }
  const groups = new Map<string, LabelledRow[]>();
  for (const r of rows) groups.set(r.group ?? '', [...(groups.get(r.group ?? '') ?? []), r]);
  const train: LabelledRow[] = [];
  const test: LabelledRow[] = [];
  for (const g of groups.values()) {
    const half = Math.floor(g.length / 2);
    train.push(...g.slice(0, half));
    test.push(...g.slice(half));
  }
  return { train, test };
}

export interface RobustThresholdOptions {
  /** Bootstrap resamples of the calibration rows. */
  resamples: number;
  /** Share of resamples that must keep the quality target (0.95: a one-sided 95% lower confidence bound). */
  confidence: number;
  seed: number;
  /** Curve resolution of the candidate thresholds (share of rows per step). */
  resolution: number;
}

export const DEFAULT_ROBUST: RobustThresholdOptions = { resamples: 200, confidence: 0.95, seed: 1, resolution: 0.005 };

/** A small deterministic PRNG (mulberry32): the same seed gives the same resamples, so the same threshold. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The highest threshold whose quality reaches `quality` in at least `confidence` of bootstrap resamples of the
 * calibration rows (out-of-fold scores of the fit half). Rows are resampled by group where they have one (MMLU
 * subjects: the held-out half brings subjects the fit never saw, so the margin must cover a change of subjects,
 * not only row noise), else one by one. Plain `thresholdFor` lands on the target only on the rows it was picked
 * on; this keeps a margin the first half itself shows is needed.
 */
export function robustThreshold(
  rows: readonly LabelledRow[],
  scores: readonly number[],
  quality: number,
  mode: RoutingMode = 'route',
  o: RobustThresholdOptions = DEFAULT_ROBUST,
): number {
  const groupIds = new Map<string, number>();
  const groupOf = rows.map((r, i) => {
    const key = r.group ?? `#${i}`;
    if (!groupIds.has(key)) groupIds.set(key, groupIds.size);
    return groupIds.get(key)!;
  });
  const groups = groupIds.size;
  const rnd = mulberry32(o.seed);
  const weights = Array.from({ length: o.resamples }, () => {
    const perGroup = new Float64Array(groups);
    for (let k = 0; k < groups; k++) perGroup[Math.floor(rnd() * groups)]! += 1;
    return rows.map((_, i) => perGroup[groupOf[i]!]!);
  });
  const keeps = (threshold: number) => {
    let ok = 0;
    for (const w of weights) {
      let routed = 0;
      let strong = 0;
      rows.forEach((r, i) => {
        const toStrong = scores[i]! >= threshold;
        if (toStrong ? r.strongCorrect : r.weakCorrect) routed += w[i]!;
        if (r.strongCorrect) strong += w[i]!;
      });
      if (strong > 0 && routed / strong >= quality) ok++;
    }
    return ok / o.resamples >= o.confidence;
  };
  // Candidates from fewest to most strong calls; the first that holds is the cheapest safe one in calls.
  const candidates = sweep(rows, scores, o.resolution, mode).map((p) => p.threshold);
  return candidates.find(keeps) ?? Number.NEGATIVE_INFINITY;
}
