import { escalationDecision, meanTokenLogprob } from './escalation';

const lp = (...values: number[]) => ({ content: values.map((logprob) => ({ logprob })) });

describe('confidence escalation decision', () => {
  it('averages token logprobs and ignores non-finite ones', () => {
    expect(meanTokenLogprob(lp(-0.5, -1.5))).toBe(-1);
    expect(meanTokenLogprob(lp(-1, Number.NEGATIVE_INFINITY))).toBe(-1);
    expect(meanTokenLogprob({ content: [] })).toBeUndefined();
    expect(meanTokenLogprob(null)).toBeUndefined();
  });

  it('escalates below the threshold, keeps the answer at or above it', () => {
    expect(escalationDecision(-0.7, lp(-0.9, -1.1))).toEqual({ escalate: true, reason: 'low-confidence', mean_logprob: -1 });
    expect(escalationDecision(-0.7, lp(-0.7))).toEqual({ escalate: false, reason: 'confident', mean_logprob: -0.7 });
    expect(escalationDecision(-0.7, lp(-0.01, -0.2))).toMatchObject({ escalate: false });
  });

  it('escalates an answer without logprobs, and never escalates a target without a threshold', () => {
    expect(escalationDecision(-0.7, undefined)).toEqual({ escalate: true, reason: 'no-logprobs' });
    expect(escalationDecision(undefined, lp(-5))).toEqual({ escalate: false, reason: 'no-threshold' });
  });
});
