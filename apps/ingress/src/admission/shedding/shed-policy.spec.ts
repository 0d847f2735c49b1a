import { shedDecision } from './shed-policy';

describe('shedDecision', () => {
  const thresholds = { batch: 100, realtimeFree: 50, realtimePaid: 500 };

  it('sheds batch first: a batch backlog refuses batch but no realtime work', () => {
    const lag = [0, 0, 150];
    expect(shedDecision(lag, thresholds, 'batch').shed).toBe(true);
    expect(shedDecision(lag, thresholds, 'realtime-free').shed).toBe(false);
    expect(shedDecision(lag, thresholds, 'realtime-paid').shed).toBe(false);
  });

  it('then free realtime, whose requests wait behind paid and free backlog; paid last', () => {
    expect(shedDecision([30, 30, 0], thresholds, 'realtime-free')).toEqual({ shed: true, lag: 60, threshold: 50 });
    expect(shedDecision([30, 30, 0], thresholds, 'realtime-paid').shed).toBe(false);
    expect(shedDecision([501, 0, 0], thresholds, 'realtime-paid').shed).toBe(true);
  });

  it('never sheds a band whose threshold is 0, nor on an unknown lag', () => {
    expect(shedDecision([1e9, 1e9, 1e9], { batch: 0, realtimeFree: 0, realtimePaid: 0 }, 'batch').shed).toBe(false);
    expect(shedDecision([], thresholds, 'batch').shed).toBe(false);
  });
});
