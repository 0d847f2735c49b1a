import { OffsetTracker } from './offset-tracker';

describe('OffsetTracker', () => {
  it('commits nothing before the first message', () => {
    expect(new OffsetTracker().committable()).toBeUndefined();
  });

  it('commits only up to the lowest unfinished message', () => {
    const t = new OffsetTracker();
    [10, 11, 12, 13].forEach((o) => t.begin(o));
    t.complete(11);
    t.complete(13);
    expect(t.committable()).toBe(10);
    t.complete(10);
    expect(t.committable()).toBe(12);
    t.complete(12);
    expect(t.committable()).toBe(14);
    expect(t.size).toBe(0);
  });

  it('reports a pending commit once per move', () => {
    const t = new OffsetTracker();
    t.begin(0);
    t.complete(0);
    expect(t.pendingCommit()).toBe(1);
    t.markCommitted(1);
    expect(t.pendingCommit()).toBeUndefined();
    t.begin(1);
    expect(t.pendingCommit()).toBeUndefined();
    t.complete(1);
    expect(t.pendingCommit()).toBe(2);
  });

  it('tolerates gaps left by compaction or transactions markers', () => {
    const t = new OffsetTracker();
    t.begin(5);
    t.begin(9);
    t.complete(9);
    expect(t.committable()).toBe(5);
    t.complete(5);
    expect(t.committable()).toBe(10);
  });

  it('rejects an offset begun out of order', () => {
    const t = new OffsetTracker();
    t.begin(3);
    expect(() => t.begin(3)).toThrow(RangeError);
  });

  it('matches a reference model on random completion orders', () => {
    for (let run = 0; run < 50; run++) {
      const t = new OffsetTracker();
      const done = new Set<number>();
      const offsets = Array.from({ length: 40 }, (_, i) => i);
      offsets.forEach((o) => t.begin(o));
      const order = [...offsets].sort(() => Math.random() - 0.5);
      for (const o of order) {
        t.complete(o);
        done.add(o);
        let expected = 0;
        while (done.has(expected)) expected++;
        expect(t.committable()).toBe(expected);
      }
    }
  });
});
