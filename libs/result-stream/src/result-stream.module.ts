import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { EventPublisher } from '@llm/kafka';
import { createRedis, REDIS, type Redis } from '@llm/redis';
import type { Logger } from '@llm/telemetry';
import { RequestCancellation } from './request-cancellation';
import { RequestNotifications } from './request-notifications';
import { ResultPublisher } from './result.publisher';
import { ResultStreamReader } from './result-stream.reader';

const SUBSCRIBER = Symbol('RESULT_STREAM_SUBSCRIBER');

class SubscriberLifecycle implements OnApplicationShutdown {
  constructor(@Inject(SUBSCRIBER) private readonly subscriber: Redis) {}

  onApplicationShutdown(): void {
    this.subscriber.disconnect();
  }
}

/** ResultPublisher for services that finish requests; ResultStreamReader for services that wait on them. */
@Global()
@Module({})
export class ResultStreamModule {
  static forRoot(options: { redisUrl: string; logger: Logger }): DynamicModule {
    return {
      module: ResultStreamModule,
      providers: [
        { provide: ResultPublisher, inject: [REDIS, EventPublisher], useFactory: (redis: Redis, events: EventPublisher) => new ResultPublisher(redis, events) },
        { provide: SUBSCRIBER, useFactory: () => createRedis(options.redisUrl, options.logger, 'result-stream-subscriber') },
        { provide: RequestNotifications, inject: [SUBSCRIBER], useFactory: (sub: Redis) => new RequestNotifications(sub) },
        { provide: ResultStreamReader, inject: [REDIS, RequestNotifications], useFactory: (redis: Redis, n: RequestNotifications) => new ResultStreamReader(redis, n) },
        { provide: RequestCancellation, inject: [REDIS, RequestNotifications], useFactory: (redis: Redis, n: RequestNotifications) => new RequestCancellation(redis, n) },
        SubscriberLifecycle,
      ],
      exports: [ResultPublisher, ResultStreamReader, RequestCancellation],
    };
  }
}
