import { Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit, Inject } from '@nestjs/common';
import { createKafkaClient } from './client';
import type { KafkaConnectionOptions } from './kafka.options';
import { EventPublisher } from './producer/event-publisher';
import { KafkaEventPublisher } from './producer/kafka-event.publisher';

class PublisherLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(EventPublisher) private readonly publisher: KafkaEventPublisher) {}

  async onModuleInit(): Promise<void> {
    await this.publisher.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
  }
}

/** Provides `EventPublisher` (an idempotent Kafka producer) to a service's use cases. */
@Module({})
export class KafkaPublisherModule {
  static forRoot(options: KafkaConnectionOptions): DynamicModule {
    return {
      module: KafkaPublisherModule,
      global: true,
      providers: [
        { provide: EventPublisher, useFactory: () => new KafkaEventPublisher(createKafkaClient(options), options.logger, options.topicPrefix, options.deliveryTimeoutMs) },
        PublisherLifecycle,
      ],
      exports: [EventPublisher],
    };
  }
}
