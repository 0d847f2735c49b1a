/**
 * Tracks the messages of one partition that are being processed concurrently, so the committed offset never
 * passes an unfinished message: after a crash, everything from the lowest unfinished offset is redelivered.
 * Offsets are bigint-safe strings in Kafka; within one partition they fit a JS number for 2^53 messages.
 */
export class OffsetTracker {
  private readonly inFlight = new Set<number>();
  /** Highest offset handed to a handler so far (-1 before the first). */
  private highestStarted = -1;
  private lastCommitted: number | undefined;

  begin(offset: number): void {
    if (offset <= this.highestStarted) throw new RangeError(`offset ${offset} begun out of order (after ${this.highestStarted})`);
    this.inFlight.add(offset);
    this.highestStarted = offset;
  }

  complete(offset: number): void {
    this.inFlight.delete(offset);
  }

  get size(): number {
    return this.inFlight.size;
  }

  /** The offset to commit (next to consume): the lowest unfinished one, or one past the highest started. */
  committable(): number | undefined {
    if (this.highestStarted < 0) return undefined;
    let lowest = this.highestStarted + 1;
    for (const o of this.inFlight) if (o < lowest) lowest = o;
    return lowest;
  }

  /** Returns the offset to commit if it moved since the last call to markCommitted. */
  pendingCommit(): number | undefined {
    const next = this.committable();
    return next !== undefined && next !== this.lastCommitted ? next : undefined;
  }

  markCommitted(offset: number): void {
    this.lastCommitted = offset;
  }
}
