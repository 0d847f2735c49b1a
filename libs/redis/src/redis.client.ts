import type { HealthRegistry, Logger } from '@llm/telemetry';
import Redis from 'ioredis';

export type { Redis } from 'ioredis';

/**
 * A Redis connection that fails commands fast while disconnected (so a request gets a clear 503 instead of
 * hanging) and reconnects with capped backoff.
 */
export function createRedis(url: string, logger: Logger, name = 'redis'): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
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
