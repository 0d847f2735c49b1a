export interface MicroBatcherOptions {
  /** Flush as soon as this many items wait. */
  maxItems: number;
  /** Otherwise flush this long after the first item arrived (a lone event is not held back longer). */
  lingerMs: number;
  /** Flushes running at once (the ledger: database statements in flight). Default 1. */
  maxConcurrent?: number;
}

/** What a submitted item's flush threw (submitMany reports it per item instead of rejecting). */
export class FlushFailed {
  constructor(readonly error: unknown) {}
}

/** Collects the results of one submission (one item or many) as their flushes finish. */
class Sink<R> {
  readonly results: (R | FlushFailed)[];
  private remaining: number;

  constructor(
    size: number,
    private readonly done: (results: (R | FlushFailed)[]) => void,
  ) {
    this.results = new Array<R | FlushFailed>(size);
    this.remaining = size;
  }

  set(index: number, result: R | FlushFailed): void {
    this.results[index] = result;
    if (--this.remaining === 0) this.done(this.results);
  }
}

interface Pending<T, R> {
  item: T;
  sink: Sink<R>;
  index: number;
}

/**
 * Collects single submissions into batches and runs up to `maxConcurrent` flushes at once: items arriving
 * while flushes run form the next batch, so batches grow with the load instead of the flush rate capping
 * throughput. Each submitter's promise settles only after its batch's flush finished (for the ledger: after
 * the database commit), which is what lets the Kafka transport commit the offset. `exclusive` runs other work
 * alone (reconciliation): after the flushes under way, before any new one.
 */
export class MicroBatcher<T, R> {
  private queue: Pending<T, R>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = 0;
  private readonly exclusives: (() => Promise<void>)[] = [];
  private inExclusive = false;
  private idle: (() => void)[] = [];

  constructor(
    private readonly flush: (items: T[]) => Promise<R[]>,
    private readonly options: MicroBatcherOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const sink = new Sink<R>(1, ([result]) => (result instanceof FlushFailed ? reject(result.error) : resolve(result!)));
      this.enqueue([{ item, sink, index: 0 }]);
    });
  }

  /**
   * Many items (a Kafka batch) with one promise: it resolves once every item's flush finished, one result per
   * item in order, a FlushFailed for the items whose flush threw. Items may land in different flushes.
   */
  submitMany(items: readonly T[]): Promise<(R | FlushFailed)[]> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const sink = new Sink<R>(items.length, resolve);
      this.enqueue(items.map((item, index) => ({ item, sink, index })));
    });
  }

  private enqueue(entries: Pending<T, R>[]): void {
    for (const e of entries) this.queue.push(e);
    if (this.queue.length >= this.options.maxItems) this.pump(true);
    else if (!this.timer) this.timer = setTimeout(() => this.pump(true), this.options.lingerMs);
  }

  exclusive<V>(work: () => Promise<V>): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      this.exclusives.push(() => work().then(resolve, reject));
      this.pump(false);
    });
  }

  /** Waits for everything submitted so far. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.running > 0 || this.inExclusive || this.exclusives.length > 0) {
      await new Promise<void>((r) => {
        this.idle.push(r);
        this.pump(true);
      });
    }
  }

  /** Starts what may start now; `due`: the queue may flush even if it is not full (linger passed, or a flush ended). */
  private pump(due: boolean): void {
    if (due) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.inExclusive) return;
    if (this.exclusives.length > 0) {
      if (this.running > 0) return;
      const work = this.exclusives.shift()!;
      this.inExclusive = true;
      void work().finally(() => {
        this.inExclusive = false;
        this.afterWork();
      });
      return;
    }
    const max = this.options.maxConcurrent ?? 1;
    while (this.running < max && this.queue.length > 0 && (due || this.queue.length >= this.options.maxItems)) {
      const batch = this.queue.splice(0, this.options.maxItems);
      this.running++;
      void this.runOne(batch).finally(() => {
        this.running--;
        this.afterWork();
      });
    }
    if (this.queue.length > 0 && !this.timer && this.running >= max) this.timer = setTimeout(() => this.pump(true), this.options.lingerMs);
  }

  private afterWork(): void {
    // What waited while flushes ran goes next without another linger.
    this.pump(true);
    if (this.queue.length === 0 && this.running === 0 && !this.inExclusive && this.exclusives.length === 0) {
      const waiting = this.idle;
      this.idle = [];
      for (const r of waiting) r();
    }
  }

  private async runOne(batch: Pending<T, R>[]): Promise<void> {
    let results: R[];
    try {
      results = await this.flush(batch.map((p) => p.item));
    } catch (err) {
      const failed = new FlushFailed(err);
      for (const p of batch) p.sink.set(p.index, failed);
      return;
    }
    batch.forEach((p, i) => p.sink.set(p.index, results[i]!));
  }
}
