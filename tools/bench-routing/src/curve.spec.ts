import { cheapestAt, evaluateAt, halves, sweep, thresholdFor, type LabelledRow } from './curve';

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
