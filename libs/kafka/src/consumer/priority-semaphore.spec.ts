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
    s.release();
    await paid;
    s.release();
    await free;
    s.release();
    await batch;
    expect(order).toEqual(['paid', 'free', 'batch']);
  });

  it('does not let a newcomer jump ahead of a waiting higher band', async () => {
    const s = new PrioritySemaphore(1, 3);
    await s.acquire(req(1));
    const paid = s.acquire(req(0));
    s.release();
    expect(await paid).toBe(true);
    expect(await s.acquire(req(2, 't', { timeoutMs: 5 }))).toBe(false);
  });

  it('serves tenants of one band round robin, so a flood queued first does not starve a later tenant', async () => {
    const s = new PrioritySemaphore(1, 3);
    await s.acquire(req(2));
    const order: string[] = [];
    const all = [...Array.from({ length: 5 }, () => s.acquire(req(2, 'flood')).then(() => order.push('flood'))), s.acquire(req(2, 'quiet')).then(() => order.push('quiet'))];
    for (let i = 0; i < 6; i++) {
      s.release();
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
    s.release();
    expect(s.idle).toBe(1);
  });

  it('refuses to release more than acquired', () => {
    expect(() => new PrioritySemaphore(1, 1).release()).toThrow();
  });
});
