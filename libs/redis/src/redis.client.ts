import type { HealthRegistry, Logger } from '@llm/telemetry';
import Redis from 'ioredis';

export type { Redis } from 'ioredis';

/**
 * A Redis connection that fails commands fast while disconnected (so a request gets a clear 503 instead of
 * hanging) and reconnects with capped backoff. Commands issued in the same tick by concurrent requests go out
 * in one write (auto-pipelining): under load that is most of a service's Redis syscalls (docs/performance.md).
 */
export function createRedis(url: string, logger: Logger, name = 'redis'): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    enableAutoPipelining: true,
    // An auto-pipeline copies the client's scripts when it opens. rate-limiter-flexible defines its script in
    // each limiter's constructor, so a limiter created on first use, while a pipeline is open, calls a script
    // that pipeline lacks; ioredis then leaves a stray callback that crashes the process when the replies
    // arrive ("results[i] is not iterable", redis/ioredis#1931). Its calls go out on their own instead. The
    // platform's own scripts are defined when their service starts, before any pipeline opens.
    autoPipeliningIgnoredCommands: ['rlflxIncr'],
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2_000),
  });
  redis.on('error', (err) => logger.warn({ err, component: name }, 'redis connection error'));
  return redis;
}

export function registerRedisHealth(health: HealthRegistry, redis: Redis): void {
  health.register('redis', async () => {
    await redis.ping();
  });
}
