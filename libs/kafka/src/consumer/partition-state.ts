import type { TopicName } from '@llm/contracts';
import { OffsetTracker } from '../commit/offset-tracker';

/** What the consumer knows about one assigned partition. */
export class PartitionState {
  readonly tracker = new OffsetTracker();
  /** Log end offset seen in the last fetch. */
  highWatermark = -1;
  /** Next offset to hand to a handler. */
  position = -1;
  committed = -1;
  /** Paused because a higher band has a backlog. */
  pausedForPriority = false;
  private readonly drainWaiters: Array<() => void> = [];

  constructor(
    /** Physical topic name (with any prefix). */
    readonly topic: string,
    /** Logical topic name from @llm/contracts. */
    readonly logical: TopicName,
    readonly partition: number,
    readonly band: number,
  ) {}

  /** Messages fetched-able but not yet handed to a handler. */
  get backlog(): number {
    if (this.highWatermark < 0 || this.position < 0) return 0;
    return Math.max(0, this.highWatermark - this.position);
  }

  /** Messages not yet committed (what a lag dashboard shows). */
  get lag(): number {
    if (this.highWatermark < 0) return 0;
    return Math.max(0, this.highWatermark - Math.max(this.committed, 0));
  }

  begin(offset: number): void {
    this.tracker.begin(offset);
    this.position = offset + 1;
  }

  complete(offset: number): void {
    this.tracker.complete(offset);
    const waiter = this.drainWaiters.shift();
    waiter?.();
  }

  /** Resolves when fewer than `limit` messages are in flight, or false after `timeoutMs`. */
  whenBelow(limit: number, timeoutMs: number): Promise<boolean> {
    if (this.tracker.size < limit) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const i = this.drainWaiters.indexOf(waiter);
        if (i >= 0) this.drainWaiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      this.drainWaiters.push(waiter);
    });
  }
}
