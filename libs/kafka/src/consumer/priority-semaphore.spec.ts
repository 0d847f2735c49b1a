import { PrioritySemaphore } from './priority-semaphore';

describe('PrioritySemaphore', () => {
  it('grants up to capacity at once', async () => {
    const s = new PrioritySemaphore(2, 3);
    expect(await s.acquire(2, 10)).toBe(true);
    expect(await s.acquire(2, 10)).toBe(true);
    expect(await s.acquire(0, 10)).toBe(false);
    expect(s.inUse).toBe(2);
  });

  it('serves a higher band before earlier lower-band waiters', async () => {
    const s = new PrioritySemaphore(1, 3);
    await s.acquire(2, 10);
    const order: string[] = [];
    const batch = s.acquire(2, 1000).then((ok) => ok && order.push('batch'));
    const free = s.acquire(1, 1000).then((ok) => ok && order.push('free'));
    const paid = s.acquire(0, 1000).then((ok) => ok && order.push('paid'));
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
    await s.acquire(1, 10);
    const paid = s.acquire(0, 1000);
    // The slot is handed to the waiter, not back to the pool.
    s.release();
    expect(await paid).toBe(true);
    expect(await s.acquire(2, 5)).toBe(false);
  });

  it('times out and aborts waiters', async () => {
    const s = new PrioritySemaphore(1, 2);
    await s.acquire(0, 10);
    expect(await s.acquire(1, 5)).toBe(false);
    expect(s.waiting()).toBe(0);
    const w = s.acquire(1, 10_000);
    s.abortWaiters();
    expect(await w).toBe(false);
  });

  it('refuses to release more than acquired', () => {
    expect(() => new PrioritySemaphore(1, 1).release()).toThrow();
  });
});
