import { CallGuard, limitsOf } from './call-guard';

describe('CallGuard', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const guard = () => new CallGuard({ firstTokenMs: 100, idleMs: 50, totalMs: 1_000 });

  it('aborts when the first token is late', () => {
    const g = guard();
    jest.advanceTimersByTime(100);
    expect(g.signal.aborted).toBe(true);
    expect(g.stopped).toEqual({ kind: 'timeout', limit: 'first_token', ms: 100 });
  });

  it('aborts a stream that goes silent between chunks, however long it already ran', () => {
    const g = guard();
    for (let i = 0; i < 10; i++) {
      jest.advanceTimersByTime(40);
      g.progress();
    }
    expect(g.signal.aborted).toBe(false);
    jest.advanceTimersByTime(50);
    expect(g.stopped).toEqual({ kind: 'timeout', limit: 'idle', ms: 50 });
  });

  it('bounds the total time of a stream that keeps trickling, and records a cancel as such', () => {
    const g = guard();
    for (let i = 0; i < 30; i++) {
      jest.advanceTimersByTime(40);
      g.progress();
    }
    expect(g.stopped).toEqual({ kind: 'timeout', limit: 'total', ms: 1_000 });
    const c = guard();
    c.cancel();
    expect(c.stopped).toEqual({ kind: 'cancelled' });
    expect(c.signal.aborted).toBe(true);
  });

  it('takes the route limits, else the defaults, never beyond the total', () => {
    const base = { model: 'm', provider: 'p', deployment: 'd', price_in_micros_per_mtok: 0, price_out_micros_per_mtok: 0, timeout_ms: 5_000 };
    expect(limitsOf({ ...base, first_token_timeout_ms: 300 }, { firstTokenMs: 20_000, idleMs: 1_000 })).toEqual({ totalMs: 5_000, firstTokenMs: 300, idleMs: 1_000 });
  });
});
