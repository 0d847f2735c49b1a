import { createRequire } from 'node:module';

/** The part of kafkajs's internal RequestQueue (one per broker connection) that the patch below touches. */
export interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own re-check interval for requests waiting behind the in-flight limit (CHECK_PENDING_REQUESTS_INTERVAL). */
const CHECK_PENDING_MS = 10;
const PATCHED = Symbol.for('llm.kafkajs.requestQueue.idleTimerPatched');

/**
 * kafkajs 2.2.4 re-arms a timer after every pending-request check, with a negative delay when nothing is
 * throttled (`throttledUntil` is -1), which Node runs after 1 ms: every broker connection of every process
 * wakes about 1,000 times a second while idle (kafkajs issues #1556 and #1704, the fix in PR #1667 is
 * unreleased). Measured here: ~38 ms of CPU a second per idle service and ~60 ms/s in the broker, a sixth of the
 * 2-core machine. The replacement schedules a check only while requests wait: push() schedules one when it
 * queues a request, and each answered or timed-out request runs the check itself, as before.
 */
export function patchKafkaRequestQueue(): void {
  const requireFromKafkajs = createRequire(require.resolve('kafkajs'));
  const RequestQueue = requireFromKafkajs('./src/network/requestQueue/index.js') as { prototype: RequestQueueInternals & { [PATCHED]?: true } };
  const proto = RequestQueue.prototype;
  if (proto[PATCHED]) return;
  if (typeof proto.scheduleCheckPendingRequests !== 'function' || typeof proto.checkPendingRequests !== 'function') {
    throw new Error('kafkajs RequestQueue has changed shape: review libs/kafka/src/request-queue.patch.ts for this kafkajs version');
  }
  proto.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
    if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
    const throttledFor = this.throttledUntil - Date.now();
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      throttledFor > 0 ? throttledFor : CHECK_PENDING_MS,
    );
  };
  proto[PATCHED] = true;
}
