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
