import { quietLogger, testInfra } from '@llm/testing';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { createRedis } from './redis.client';

describe('createRedis', () => {
  it('survives a rate limiter created and used while an auto-pipeline is open (redis/ioredis#1931)', async () => {
    const redis = createRedis(testInfra().REDIS_URL, quietLogger());
    const crashes: unknown[] = [];
    const onCrash = (err: unknown) => void crashes.push(err);
    process.on('uncaughtException', onCrash);
    try {
      await redis.ping();
      const key = `it:limiter:${Date.now()}`;
      // Same tick: the SET opens an auto-pipeline; the limiter, made on first use as the admission and worker
      // limits make theirs, defines its script and calls it. In that pipeline the script would be missing.
      const opened = redis.set(`${key}:other`, '1', 'PX', 10_000);
      const consumed = new RateLimiterRedis({ storeClient: redis, keyPrefix: '', points: 5, duration: 60 }).consume(key, 2);
      const [set, res] = await Promise.all([opened, consumed]);
      expect(set).toBe('OK');
      expect(res.remainingPoints).toBe(3);
      await new Promise((r) => setTimeout(r, 100));
      expect(crashes).toEqual([]);
      await redis.del(key, `${key}:other`);
    } finally {
      process.off('uncaughtException', onCrash);
      redis.disconnect();
    }
  });
});
