import { SimulationError } from './simulation.errors';

/**
 * Admits up to `maxBatch` sequences at once, like a continuous-batching server; the rest wait FIFO, and
 * beyond `maxQueue` waiting requests the server refuses with 429. A waiter whose client left is dropped.
 */
export class BatchScheduler {
  private running = 0;
  private readonly queue: Array<() => void> = [];

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

  async admit(signal: AbortSignal): Promise<() => void> {
    if (this.running < this.maxBatch && this.queue.length === 0) return this.hold();
    if (this.queue.length >= this.maxQueue) throw new SimulationError('OVERLOADED', 'the server is overloaded; retry later', true, { retryAfterS: 1 });
    await new Promise<void>((resolve, reject) => {
      const wake = () => {
        signal.removeEventListener('abort', leave);
        resolve();
      };
      const leave = () => {
        const i = this.queue.indexOf(wake);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new Error('client went away while queued'));
      };
      this.queue.push(wake);
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
      if (this.running < this.maxBatch) this.queue.shift()?.();
    };
  }
}
