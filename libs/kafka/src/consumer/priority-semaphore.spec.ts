import { RealtimeActivity } from './realtime-activity';
import { PrioritySemaphore, type SlotRequest } from './priority-semaphore';

const req = (band: number, tenant = 't', extra: Partial<SlotRequest> = {}): SlotRequest => ({ band, tenant, topic: 'req', ...extra });

describe('PrioritySemaphore', () => {
  it('grants up to capacity at once', async () => {
    const s = new PrioritySemaphore(2, 3);
    expect(await s.acquire(req(2))).toBe(true);
    expect(await s.acquire(req(2))).toBe(true);
    expect(await s.acquire(req(0, 't', { timeoutMs: 5 }))).toBe(false);
    expect(s.inUse).toBe(2);
  });

  it('serves a higher band before earlier lower-band waiters', async () => {
    const s = new PrioritySemaphore(1, 3);
    await s.acquire(req(2));
    const order: string[] = [];
    const batch = s.acquire(req(2)).then((ok) => ok && order.push('batch'));
    const free = s.acquire(req(1)).then((ok) => ok && order.push('free'));
    const paid = s.acquire(req(0)).then((ok) => ok && order.push('paid'));
    s.release(2);
    await paid;
    s.release(0);
    await free;
    s.release(1);
    await batch;
    expect(order).toEqual(['paid', 'free', 'batch']);
  });

  it('does not let a newcomer jump ahead of a waiting higher band', async () => {
    const s = new PrioritySemaphore(1, 3);
    await s.acquire(req(1));
    const paid = s.acquire(req(0));
    s.release(1);
    expect(await paid).toBe(true);
    expect(await s.acquire(req(2, 't', { timeoutMs: 5 }))).toBe(false);
  });

  it('serves tenants of one band round robin, so a flood queued first does not starve a later tenant', async () => {
    const s = new PrioritySemaphore(1, 3);
    await s.acquire(req(2));
    const order: string[] = [];
    const all = [...Array.from({ length: 5 }, () => s.acquire(req(2, 'flood')).then(() => order.push('flood'))), s.acquire(req(2, 'quiet')).then(() => order.push('quiet'))];
    for (let i = 0; i < 6; i++) {
      s.release(2);
      await Promise.resolve();
    }
    await Promise.all(all);
    expect(order.indexOf('quiet')).toBe(1);
  });

  it('counts waiters per topic and band', async () => {
    const s = new PrioritySemaphore(1, 3);
    await s.acquire(req(0));
    const w = [s.acquire(req(0, 'a', { topic: 'results' })), s.acquire(req(2, 'b')), s.acquire(req(2, 'c'))];
    expect(s.waiting(0, 'req')).toBe(0);
    expect(s.waiting(0, 'results')).toBe(1);
    expect(s.waiting(2, 'req')).toBe(2);
    s.abortWaiters();
    expect(await Promise.all(w)).toEqual([false, false, false]);
    expect(s.waiting(undefined, 'req')).toBe(0);
  });

  it('withdraws a waiter whose signal aborts, and times out', async () => {
    const s = new PrioritySemaphore(1, 2);
    await s.acquire(req(0));
    const controller = new AbortController();
    const w = s.acquire(req(1, 't', { signal: controller.signal }));
    controller.abort();
    expect(await w).toBe(false);
    expect(await s.acquire(req(1, 't', { timeoutMs: 5 }))).toBe(false);
    expect(s.waiting()).toBe(0);
    s.release(0);
    expect(s.idle).toBe(1);
  });

  it('refuses to release more than acquired', () => {
    expect(() => new PrioritySemaphore(1, 1).release(0)).toThrow();
    const s = new PrioritySemaphore(2, 3);
    return s.acquire(req(0)).then(() => expect(() => s.release(2)).toThrow());
  });

  describe('with a low-band limit', () => {
    function limited(maxInFlight = 1) {
      let now = 1_000;
      const activity = new RealtimeActivity();
      const s = new PrioritySemaphore(4, 3, { maxInFlight, windowMs: 100, activity, now: () => now });
      return { s, activity, advance: (ms: number) => (now += ms), at: () => now };
    }

    it('lets batch use every slot while no realtime work is recent', async () => {
      const { s } = limited();
      for (let i = 0; i < 4; i++) expect(await s.acquire(req(2))).toBe(true);
      expect(s.heldBy(2)).toBe(4);
    });

    it('holds batch to its limit while realtime work is recent, leaving the other slots to realtime', async () => {
      const { s, activity, at } = limited(1);
      activity.mark(at());
      expect(await s.acquire(req(2))).toBe(true);
      expect(await s.acquire(req(2, 't', { timeoutMs: 5 }))).toBe(false);
      expect(s.idle).toBe(3);
      for (let i = 0; i < 3; i++) expect(await s.acquire(req(0))).toBe(true);
      expect(s.heldBy(0)).toBe(3);
    });

    it('a realtime message taking a slot is itself realtime activity', async () => {
      const { s } = limited(1);
      expect(await s.acquire(req(1, 't', { realtime: true }))).toBe(true);
      expect(await s.acquire(req(2))).toBe(true);
      expect(await s.acquire(req(2, 't', { timeoutMs: 5 }))).toBe(false);
    });

    it('serves a held-back batch waiter on release once realtime work is no longer recent', async () => {
      const { s, activity, at, advance } = limited(1);
      activity.mark(at());
      await s.acquire(req(2));
      await s.acquire(req(0));
      let granted = false;
      const waiting = s.acquire(req(2)).then((ok) => (granted = ok));
      s.release(0);
      await Promise.resolve();
      expect(granted).toBe(false);
      advance(100);
      s.release(2);
      await waiting;
      expect(granted).toBe(true);
    });

    it('wakes held-back batch waiters by itself when realtime work stops, with nothing released', async () => {
      // Real clock: the wake-up is a timer at the end of the window.
      const activity = new RealtimeActivity();
      const s = new PrioritySemaphore(4, 3, { maxInFlight: 1, windowMs: 30, activity });
      activity.mark();
      await s.acquire(req(2));
      const late = await s.acquire(req(2));
      expect(late).toBe(true);
      expect(Date.now() - activity.lastAt).toBeGreaterThanOrEqual(29);
    });
  });
});
