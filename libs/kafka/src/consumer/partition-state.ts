import type { TopicName } from '@llm/contracts';
import { OffsetTracker } from '../commit/offset-tracker';

/** Why a partition is paused; it is fetched again only once no reason is left. */
export type PauseReason = 'priority' | 'capacity' | 'forwarding';

/** What the consumer knows about one assigned partition. */
export class PartitionState {
  readonly tracker = new OffsetTracker();
  /** Log end offset seen in the last fetch. */
  highWatermark = -1;
  /** Next offset to hand to a handler. */
  position = -1;
  committed = -1;
  readonly pauseReasons = new Set<PauseReason>();
  /** Messages whose retry or DLQ copy could not be written yet: their offsets stay uncommitted. */
  stuck = 0;
  /** Aborted when the partition is revoked or the consumer stops: waiting work is handed back. */
  private readonly controller = new AbortController();

  constructor(
    /** Physical topic name (with any prefix). */
    readonly topic: string,
    /** Logical topic name from @llm/contracts. */
    readonly logical: TopicName,
    readonly partition: number,
    readonly band: number,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get revoked(): boolean {
    return this.controller.signal.aborted;
  }

  revoke(): void {
    this.controller.abort();
  }

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

  get inFlight(): number {
    return this.tracker.size;
  }

  begin(offset: number): void {
    this.tracker.begin(offset);
    this.position = offset + 1;
  }

  complete(offset: number): void {
    this.tracker.complete(offset);
  }
}
