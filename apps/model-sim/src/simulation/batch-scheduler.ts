import { SimulationError } from './simulation.errors';

interface Waiter {
  wake: () => void;
  priority: number;
  seq: number;
}

/**
 * Admits up to `maxBatch` sequences at once, like a continuous-batching server; the rest wait, lowest
 * priority value first (vLLM's priority scheduling; everyone has 0 without it), FIFO within a priority, and
 * beyond `maxQueue` waiting requests the server refuses with 429. A waiter whose client left is dropped.
 */
export class BatchScheduler {
  private running = 0;
  private seq = 0;
  private readonly queue: Waiter[] = [];

  constructor(
    private readonly maxBatch: number,
    private readonly maxQueue: number,
  ) {}

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.queue.length;
  }

  async admit(signal: AbortSignal, priority = 0): Promise<() => void> {
    if (this.running < this.maxBatch && this.queue.length === 0) return this.hold();
    if (this.queue.length >= this.maxQueue) throw new SimulationError('OVERLOADED', 'the server is overloaded; retry later', true, { retryAfterS: 1 });
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        wake: () => {
          signal.removeEventListener('abort', leave);
          resolve();
        },
        priority,
        seq: this.seq++,
      };
      const leave = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new Error('client went away while queued'));
      };
      const at = this.queue.findIndex((w) => w.priority > priority);
      this.queue.splice(at < 0 ? this.queue.length : at, 0, waiter);
      signal.addEventListener('abort', leave, { once: true });
    });
    return this.hold();
  }

  private hold(): () => void {
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      if (this.running < this.maxBatch) this.queue.shift()?.wake();
    };
  }
}
