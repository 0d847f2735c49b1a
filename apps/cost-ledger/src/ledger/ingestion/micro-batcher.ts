export interface MicroBatcherOptions {
  /** Flush as soon as this many items wait. */
  maxItems: number;
  /** Otherwise flush this long after the first item arrived (a lone event is not held back longer). */
  lingerMs: number;
}

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Collects single submissions into batches and runs one flush at a time: items arriving while a flush runs form
 * the next batch, so batches grow with the load instead of the flush rate capping throughput. Each submitter's
 * promise settles only after its batch's flush finished (for the ledger: after the database commit), which is
 * what lets the Kafka transport commit the offset. `exclusive` runs other work between flushes (reconciliation).
 */
export class MicroBatcher<T, R> {
  private queue: Pending<T, R>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<R[]>,
    private readonly options: MicroBatcherOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.options.maxItems) this.schedule();
      else if (!this.timer && !this.scheduled) this.timer = setTimeout(() => this.schedule(), this.options.lingerMs);
    });
  }

  /** Runs `work` alone: after the flushes already scheduled and before the next one. */
  exclusive<V>(work: () => Promise<V>): Promise<V> {
    const run = this.chain.then(work);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Waits for everything submitted so far. */
  async drain(): Promise<void> {
    if (this.queue.length > 0) this.schedule();
    await this.chain;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.scheduled) return;
    this.scheduled = true;
    this.chain = this.chain.then(() => this.runOne());
  }

  private async runOne(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue.splice(0, this.options.maxItems);
    // What arrived beyond this batch (or during it) goes next, without waiting for the linger timer.
    if (this.queue.length > 0) this.schedule();
    if (batch.length === 0) return;
    try {
      const results = await this.flush(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
