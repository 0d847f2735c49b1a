import { FlushFailed, MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('groups submissions arriving together into one flush and answers each in order', async () => {
    const flushes: number[][] = [];
    const b = new MicroBatcher<number, number>(
      async (items) => {
        flushes.push(items);
        return items.map((i) => i * 10);
      },
      { maxItems: 100, lingerMs: 1 },
    );
    const results = await Promise.all([1, 2, 3].map((i) => b.submit(i)));
    expect(results).toEqual([10, 20, 30]);
    expect(flushes).toEqual([[1, 2, 3]]);
  });

  it('never flushes more than maxItems at once and runs one flush at a time', async () => {
    let running = 0;
    let maxRunning = 0;
    const sizes: number[] = [];
    const b = new MicroBatcher<number, boolean>(
      async (items) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        sizes.push(items.length);
        await new Promise((r) => setImmediate(r));
        running--;
        return items.map(() => true);
      },
      { maxItems: 4, lingerMs: 50 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => b.submit(i)));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(sizes.reduce((a, s) => a + s, 0)).toBe(10);
    expect(maxRunning).toBe(1);
  });

  it('rejects every submission of a failed flush and keeps serving the next ones', async () => {
    let fail = true;
    const b = new MicroBatcher<number, number>(
      async (items) => {
        if (fail) throw new Error('db down');
        return items;
      },
      { maxItems: 10, lingerMs: 1 },
    );
    await expect(Promise.all([b.submit(1), b.submit(2)])).rejects.toThrow('db down');
    fail = false;
    await expect(b.submit(3)).resolves.toBe(3);
  });

  it('answers many items with one promise, in order, even when they land in several flushes, one of which fails', async () => {
    const flushes: number[][] = [];
    const b = new MicroBatcher<number, number>(
      async (items) => {
        flushes.push(items);
        if (items.includes(5)) throw new Error('db down');
        return items.map((i) => i * 10);
      },
      { maxItems: 4, lingerMs: 1, maxConcurrent: 2 },
    );
    const single = b.submit(100);
    const results = await b.submitMany([1, 2, 3, 4, 5, 6, 7]);
    expect(await single).toBe(1000);
    // [100, 1, 2, 3], [4, 5, 6, 7]: the second flush failed, and only its items say so.
    expect(flushes).toEqual([
      [100, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    expect(results.slice(0, 3)).toEqual([10, 20, 30]);
    for (const r of results.slice(3)) expect(r).toBeInstanceOf(FlushFailed);
    expect((results[3] as FlushFailed).error).toEqual(new Error('db down'));
    expect(await b.submitMany([])).toEqual([]);
  });

  it('runs up to maxConcurrent flushes at once and exclusive work alone', async () => {
    let running = 0;
    let maxRunning = 0;
    let runningAtExclusive = -1;
    const b = new MicroBatcher<number, number>(
      async (items) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return items;
      },
      { maxItems: 2, lingerMs: 1, maxConcurrent: 2 },
    );
    const first = Array.from({ length: 8 }, (_, i) => b.submit(i));
    const ex = b.exclusive(async () => {
      runningAtExclusive = running;
    });
    await Promise.all([...first, ex, b.submit(99)]);
    await b.drain();
    expect(maxRunning).toBe(2);
    expect(runningAtExclusive).toBe(0);
  });

  it('runs exclusive work between flushes', async () => {
    const order: string[] = [];
    const b = new MicroBatcher<number, number>(
      async (items) => {
        order.push(`flush:${items.join(',')}`);
        return items;
      },
      { maxItems: 1, lingerMs: 1 },
    );
    const p1 = b.submit(1);
    const ex = b.exclusive(async () => order.push('exclusive'));
    await Promise.all([p1, ex, b.submit(2)]);
    expect(order).toEqual(['flush:1', 'exclusive', 'flush:2']);
  });
});
