import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { HealthRegistry, type Logger } from '@llm/telemetry';
import type { Redis } from 'ioredis';
import { createRedis, registerRedisHealth } from './redis.client';

export const REDIS = Symbol('REDIS');

class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** One shared command connection per service, registered with /health. */
@Global()
@Module({})
export class RedisModule {
  static forRoot(options: { url: string; logger: Logger }): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        {
          provide: REDIS,
          inject: [HealthRegistry],
          useFactory: (health: HealthRegistry) => {
            const redis = createRedis(options.url, options.logger);
            registerRedisHealth(health, redis);
            return redis;
          },
        },
        RedisLifecycle,
      ],
      exports: [REDIS],
    };
  }
}
