import { createRequire } from 'node:module';
import { patchKafkaRequestQueue, type RequestQueueInternals } from './request-queue.patch';

type QueueClass = new (options: Record<string, unknown>) => RequestQueueInternals & { destroy(): void };

const RequestQueue = createRequire(require.resolve('kafkajs'))('./src/network/requestQueue/index.js') as QueueClass;

function newQueue(): RequestQueueInternals & { destroy(): void } {
  const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  return new RequestQueue({
    instrumentationEmitter: { emit: () => undefined },
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: true,
    clientId: 'spec',
    broker: 'localhost:0',
    logger: { namespace: () => logger },
    isConnected: () => true,
  });
}

describe('kafkajs RequestQueue idle timer patch', () => {
  beforeAll(() => patchKafkaRequestQueue());

  it('arms no timer when nothing waits (kafkajs 2.2.4 re-armed a 1 ms one forever)', () => {
    const queue = newQueue();
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId).toBeNull();
    queue.destroy();
  });

  it('still re-checks requests that wait, at the throttle time when throttled', () => {
    const queue = newQueue();
    queue.pending.push({});
    queue.throttledUntil = Date.now() + 60_000;
    queue.scheduleCheckPendingRequests();
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    queue.destroy();
  });

  it('applies once, however many clients are created', () => {
    const before = RequestQueue.prototype.scheduleCheckPendingRequests;
    patchKafkaRequestQueue();
    expect(RequestQueue.prototype.scheduleCheckPendingRequests).toBe(before);
  });
});
