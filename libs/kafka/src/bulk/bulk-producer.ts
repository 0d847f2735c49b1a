import type { Kafka, Producer } from 'kafkajs';
import type { RawMessage } from '../producer/kafka-event.publisher';
import { toTopicMessages } from '../producer/topic-messages';

/**
 * Loads many prepared messages fast (benchmarks, backfills): one produce request per call, acks from all
 * replicas, no idempotence (the loader owns its data and a duplicate is harmless to idempotent consumers).
 * Services publish through KafkaEventPublisher, which validates every payload; this does not.
 */
export class BulkProducer {
  private readonly producer: Producer;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 8 });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async sendBatch(messages: readonly RawMessage[]): Promise<void> {
    await this.producer.sendBatch({ acks: -1, topicMessages: toTopicMessages(messages) });
  }
}
