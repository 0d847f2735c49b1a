import { BatchScheduler } from './batch-scheduler';
import { chooseFault } from './fault-plan';
import { generate } from './generation/text-generator';

const base = { model: 'sim-small', prompt: 'hello', seed: 1, maxTokens: 100, json: false };

describe('text generator', () => {
  it('is deterministic per model, prompt and seed', () => {
    expect(generate(base)).toEqual(generate(base));
    expect(generate({ ...base, seed: 2 }).tokens).not.toEqual(generate(base).tokens);
    expect(generate({ ...base, model: 'sim-large' }).tokens).not.toEqual(generate(base).tokens);
  });

  it('stops at max tokens with finish reason length', () => {
    const out = generate({ ...base, maxTokens: 3, wantTokens: 10 });
    expect(out.tokens).toHaveLength(3);
    expect(out.finishReason).toBe('length');
  });

  it('echoes and answers JSON when asked', () => {
    expect(generate({ ...base, prompt: 'please ECHO: one two three' }).tokens.join('')).toBe('one two three');
    expect(JSON.parse(generate({ ...base, json: true }).tokens.join(''))).toHaveProperty('answer');
  });

  it('ignores the ECHO directive when told to (a deliberately wrong model)', () => {
    const text = generate({ ...base, prompt: 'please ECHO: one two three', echo: false }).tokens.join('');
    expect(text).not.toBe('one two three');
    expect(text.length).toBeGreaterThan(0);
  });
});

describe('BatchScheduler', () => {
  it('runs at most maxBatch at once and admits waiters FIFO', async () => {
    const s = new BatchScheduler(2, 10);
    const signal = new AbortController().signal;
    const a = await s.admit(signal);
    await s.admit(signal);
    const order: number[] = [];
    const third = s.admit(signal).then((r) => (order.push(3), r));
    const fourth = s.admit(signal).then((r) => (order.push(4), r));
    expect(s.inFlight).toBe(2);
    expect(s.queued).toBe(2);
    a();
    (await third)();
    (await fourth)();
    expect(order).toEqual([3, 4]);
  });

  it('serves waiters lowest priority value first, FIFO within one priority', async () => {
    const s = new BatchScheduler(1, 10);
    const signal = new AbortController().signal;
    const first = await s.admit(signal);
    const order: string[] = [];
    const waits = [
      ['batch-a', 2],
      ['free', 1],
      ['batch-b', 2],
      ['paid', 0],
    ].map(([name, priority]) => s.admit(signal, priority as number).then((release) => (order.push(name as string), release)));
    first();
    for (const wait of [waits[3], waits[1], waits[0], waits[2]]) (await wait!)();
    expect(order).toEqual(['paid', 'free', 'batch-a', 'batch-b']);
  });

  it('refuses beyond the queue limit and drops a waiter whose client left', async () => {
    const s = new BatchScheduler(1, 1);
    await s.admit(new AbortController().signal);
    const leaving = new AbortController();
    const waiting = s.admit(leaving.signal);
    await expect(s.admit(new AbortController().signal)).rejects.toMatchObject({ code: 'OVERLOADED' });
    leaving.abort();
    await expect(waiting).rejects.toThrow(/went away/);
    expect(s.queued).toBe(0);
  });
});

describe('chooseFault', () => {
  it('honours a forced fault and ignores unknown ones', () => {
    expect(chooseFault('stall', {}, 0.5)).toBe('stall');
    expect(chooseFault('headers-stall', {}, 0.5)).toBe('headers-stall');
    expect(chooseFault('explode', {}, 0.5)).toBe('none');
  });
  it('draws against cumulative rates', () => {
    const rates = { '429': 0.1, '500': 0.1, timeout: 0.1, stall: 0.1 };
    expect([0.05, 0.15, 0.25, 0.35, 0.45].map((d) => chooseFault(undefined, rates, d))).toEqual(['429', '500', 'timeout', 'stall', 'none']);
  });
});
