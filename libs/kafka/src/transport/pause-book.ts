import type { Logger } from '@llm/telemetry';
import type { Consumer } from 'kafkajs';
import type { PartitionState, PauseReason } from '../consumer/partition-state';

type PauseTarget = Pick<Consumer, 'pause' | 'resume'>;

/**
 * Our pause state is the truth (reasons per partition); kafkajs's pause set is made to match it. Calls are
 * guarded: during a kafkajs restart `pause`/`resume` throw ("consumer group was not initialized") and are
 * often made from timers, where a throw would kill the process. A failed call is repaired by the next
 * resync, which runs on every group join (a restarted consumer has a fresh, empty pause set, and kafkajs
 * keeps a revoked partition's pause across rebalances).
 */
export class PauseBook {
  constructor(
    private readonly consumer: () => PauseTarget | undefined,
    private readonly log: Logger,
  ) {}

  add(state: PartitionState, reason: PauseReason): void {
    const wasPaused = state.pauseReasons.size > 0;
    state.pauseReasons.add(reason);
    if (!wasPaused && !state.revoked) this.call('pause', state.topic, [state.partition]);
  }

  remove(state: PartitionState, reason: PauseReason): void {
    if (!state.pauseReasons.delete(reason)) return;
    if (state.pauseReasons.size === 0 && !state.revoked) this.call('resume', state.topic, [state.partition]);
  }

  /** Makes kafkajs match our state for every assigned partition, and forget revoked ones. */
  resync(assigned: Iterable<PartitionState>, revoked: ReadonlyArray<{ topic: string; partition: number }>): void {
    const byTopic = (states: PartitionState[]) => {
      const out = new Map<string, number[]>();
      for (const s of states) out.set(s.topic, [...(out.get(s.topic) ?? []), s.partition]);
      return out;
    };
    const all = [...assigned];
    for (const [topic, partitions] of byTopic(all.filter((s) => s.pauseReasons.size > 0))) this.call('pause', topic, partitions);
    for (const [topic, partitions] of byTopic(all.filter((s) => s.pauseReasons.size === 0))) this.call('resume', topic, partitions);
    for (const { topic, partition } of revoked) this.call('resume', topic, [partition]);
  }

  /** Pauses every topic (shutdown); guarded like the rest. */
  pauseAll(topics: readonly string[]): void {
    if (topics.length === 0) return;
    try {
      this.consumer()?.pause(topics.map((topic) => ({ topic })));
    } catch (err) {
      this.log.warn({ err }, 'pausing all topics failed; the consumer is not running');
    }
  }

  private call(op: 'pause' | 'resume', topic: string, partitions: number[]): void {
    const consumer = this.consumer();
    if (!consumer) return;
    try {
      consumer[op]([{ topic, partitions }]);
    } catch (err) {
      // The consumer is restarting; the group join that follows resyncs.
      this.log.warn({ err, topic, partitions, op }, 'pause state not applied; will resync on the next group join');
    }
  }
}
