/** One message as the batcher queues it; `bytes` bounds a batch before the broker has to refuse it. */
export interface QueuedMessage<M> {
  message: M;
  bytes: number;
}

export interface BatchLimits {
  /** A batch is flushed at this many messages even if more are queued. */
  maxMessages: number;
  /** And at this many bytes (below the topics' max.message.bytes, so one partition's batch always fits). */
  maxBytes: number;
}

interface Pending<M> extends QueuedMessage<M> {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Collects publishes while a produce request is in flight and sends them together when it returns.
 *
 * The idempotent producer keeps one request in flight (kafkajs cannot keep its sequence numbers right with
 * more), so one-message sends queue behind each other and cap a service at about one round trip per
 * message. Here the first message of an idle producer goes out at once (no added latency when quiet), and
 * everything published meanwhile rides the next request: batches grow with load, by themselves, without a
 * linger timer. Each caller's promise settles with its own batch; a failed batch fails every caller in it
 * (the producer already retried it), and none is acknowledged before the broker wrote it with acks=all.
 */
export class ProduceBatcher<M> {
  private readonly queue: Pending<M>[] = [];
  private flushing = false;

  constructor(
    private readonly sendBatch: (messages: M[]) => Promise<void>,
    private readonly limits: BatchLimits,
    private readonly onBatch?: (size: number) => void,
  ) {}

  send(message: M, bytes: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ message, bytes, resolve, reject });
      if (!this.flushing) void this.drain();
    });
  }

  /** Messages queued and not yet handed to the producer. */
  get queued(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    try {
      // Lets the publishes of the current tick (a handler publishing result + usage, a burst of accepts) join
      // the first batch instead of each waiting a full round trip behind it.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) {
        const batch = this.take();
        try {
          await this.sendBatch(batch.map((p) => p.message));
          for (const p of batch) p.resolve();
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
        this.onBatch?.(batch.length);
      }
    } finally {
      this.flushing = false;
    }
  }

  private take(): Pending<M>[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && n < this.limits.maxMessages) {
      const next = this.queue[n]!.bytes;
      // The first message always goes, alone if it must: the broker is the one to refuse an oversized message.
      if (n > 0 && bytes + next > this.limits.maxBytes) break;
      bytes += next;
      n++;
    }
    return this.queue.splice(0, n);
  }
}
