import { cheapestAt, evaluateAt, halves, robustThreshold, sweep, thresholdFor, type LabelledRow } from './curve';

const row = (weakCorrect: boolean, strongCorrect: boolean): LabelledRow => ({
  benchmark: 't',
  prompt: '',
  promptTokens: 1,
  weakCorrect,
  strongCorrect,
  weakCostMicros: 1,
  strongCostMicros: 10,
});

// Two prompts only the strong model answers, two both answer: a perfect scorer puts the first two on top.
const rows = [row(false, true), row(true, true), row(false, true), row(true, true)];
const perfect = [0.9, 0.1, 0.8, 0.2];

describe('routing cost/quality curve', () => {
  it('measures strong share, cost and quality relative to always-strong at one threshold', () => {
    expect(evaluateAt(rows, perfect, 0.5)).toEqual({ threshold: 0.5, strongShare: 0.5, costRelative: 22 / 40, qualityRelative: 1, accuracy: 1 });
    expect(evaluateAt(rows, perfect, 2)).toMatchObject({ strongShare: 0, costRelative: 4 / 40, qualityRelative: 0.5 });
  });

  it('charges a cascade the weak call on every row and the strong call on escalated rows', () => {
    expect(evaluateAt(rows, perfect, 0.5, 'cascade')).toMatchObject({ strongShare: 0.5, costRelative: 24 / 40, qualityRelative: 1 });
    expect(evaluateAt(rows, perfect, -1, 'cascade')).toMatchObject({ strongShare: 1, costRelative: 44 / 40 });
  });

  it('sweeps from never-strong to always-strong and finds the cheapest point at a quality', () => {
    const curve = sweep(rows, perfect, 0.25);
    expect(curve[0]).toMatchObject({ strongShare: 0 });
    expect(curve.at(-1)).toMatchObject({ strongShare: 1, qualityRelative: 1, costRelative: 1 });
    expect(cheapestAt(curve, 0.95)).toMatchObject({ strongShare: 0.5, qualityRelative: 1 });
  });

  it('a scorer ranking backwards needs every strong call for the same quality', () => {
    const backwards = perfect.map((s) => 1 - s);
    expect(cheapestAt(sweep(rows, backwards, 0.25), 0.95)).toMatchObject({ strongShare: 1 });
    expect(thresholdFor(rows, perfect, 0.95)).toBe(0.8);
  });
});

describe('robust threshold', () => {
  // Ten prompts both models answer (scored low) and ten only the strong one answers (scored 0.95 down to 0.5).
  const gainScores = [0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5];
  const calib = [...gainScores.map(() => row(false, true)), ...gainScores.map(() => row(true, true))];
  const scores = [...gainScores, ...gainScores.map(() => 0.1)];

  it('keeps a margin the calibration rows show is needed, where the plain threshold sits exactly on the target', () => {
    // Nine of ten gains routed is 19/20 = 95% on these rows, but a resample that draws the tenth twice falls below.
    expect(thresholdFor(calib, scores, 0.95)).toBe(0.55);
    expect(robustThreshold(calib, scores, 0.95)).toBe(0.5);
    // Asking only for the median resample accepts the plain point.
    expect(robustThreshold(calib, scores, 0.95, 'route', { resamples: 200, confidence: 0.5, seed: 1, resolution: 0.005 })).toBe(0.55);
  });

  it('is deterministic for a seed and resamples whole groups where rows have one', () => {
    const grouped = calib.map((r, i) => ({ ...r, group: `g${i % 4}` }));
    const a = robustThreshold(grouped, scores, 0.9);
    expect(robustThreshold(grouped, scores, 0.9)).toBe(a);
    expect(evaluateAt(grouped, scores, a).qualityRelative).toBeGreaterThanOrEqual(0.9);
  });
});

describe('fit / held-out split', () => {
  const g = (group: string) => ({ ...row(true, true), group });
  it('file order halves the rows as they come; per group halves each subject', () => {
    const rows = [g('a'), g('a'), g('a'), g('a'), g('b'), g('b')];
    expect(halves(rows, 'file-order').test.map((r) => r.group)).toEqual(['a', 'b', 'b']);
    const split = halves(rows, 'per-group');
    expect(split.train.map((r) => r.group)).toEqual(['a', 'a', 'b']);
    expect(split.test.map((r) => r.group)).toEqual(['a', 'a', 'b']);
  });
});
