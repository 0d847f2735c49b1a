import type { Logger } from '@llm/telemetry';
import type { PartitionState } from '../consumer/partition-state';
import type { ConsumerMetrics } from './consumer.metrics';
import type { Outcome, Stuck } from './handle-message';
import type { PauseBook } from './pause-book';

/** First wait before writing a stuck retry/DLQ copy again; doubles up to the cap. */
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

export interface StuckCopiesDeps {
  log: Logger;
  pauses: PauseBook;
  metrics?: ConsumerMetrics;
  stopping: () => boolean;
  /** Registers background work so shutdown waits for it. */
  track: (work: Promise<void>) => void;
  /** The copy landed: the original's offset may complete. */
  written: (state: PartitionState, offset: number, outcome: Outcome) => void;
}

/**
 * Retry/DLQ copies that could not be written. The original's offset stays uncommitted (redelivered if this
 * member stops or loses the partition), its partition stops fetching, and the copy is tried again later
 * without holding a slot. Visible as `kafka_forwarding_stuck_total`, an error log and a failing /health.
 */
export class StuckCopies {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: StuckCopiesDeps) {}

  /** A copy that could not be written: hold its offset, pause its partition, and try the copy again later. */
  hold(state: PartitionState, offset: number, stuck: Stuck): void {
    // While stopping the forwarder gives up on purpose: the original is simply handed back, nothing is stuck.
    if (this.deps.stopping()) return;
    const { log, pauses, metrics } = this.deps;
    state.stuck++;
    metrics?.forwardingStuck.inc({ topic: state.logical });
    log.error({ topic: state.topic, partition: state.partition, offset }, 'retry/DLQ copy cannot be written; offset held, partition paused');
    pauses.add(state, 'forwarding');
    this.retryLater(state, offset, stuck, FIRST_BACKOFF_MS);
  }

  private retryLater(state: PartitionState, offset: number, stuck: Stuck, backoffMs: number): void {
    const { log, pauses } = this.deps;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (state.revoked || this.deps.stopping()) return;
      this.deps.track(
        stuck.send().then(
          (outcome) => {
            if (!outcome) return this.retryLater(state, offset, stuck, Math.min(backoffMs * 2, MAX_BACKOFF_MS));
            state.stuck--;
            if (state.stuck === 0) pauses.remove(state, 'forwarding');
            log.info({ topic: state.topic, partition: state.partition, offset }, 'stuck retry/DLQ copy written');
            this.deps.written(state, offset, outcome);
          },
          (err: unknown) => log.error({ err }, 'stuck copy retry failed'),
        ),
      );
    }, backoffMs);
    this.timers.add(timer);
  }

  /** Shutdown: what is still stuck stays uncommitted and is redelivered to the next owner. */
  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
