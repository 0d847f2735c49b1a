import { TOPIC_SPECS, type TopicInput, type TopicName, type TopicPayload } from '@llm/contracts';
import { EventPublisher, type PublishOptions } from '../producer/event-publisher';
import { KafkaError } from '../kafka.errors';
import { summarizeIssues } from '@llm/config';

export interface PublishedEvent<T extends TopicName = TopicName> {
  topic: T;
  payload: TopicPayload<T>;
  options: PublishOptions;
}

/** Records what a use case publishes, validating against the same schemas as the Kafka publisher. */
export class InMemoryEventPublisher extends EventPublisher {
  readonly events: PublishedEvent[] = [];
  failNext?: Error;

  async publish<T extends TopicName>(topic: T, payload: TopicInput<T>, options: PublishOptions = {}): Promise<void> {
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = undefined;
      throw err;
    }
    const parsed = TOPIC_SPECS[topic].schema.safeParse(payload);
    if (!parsed.success) throw new KafkaError('CONTRACT_VIOLATION', summarizeIssues(parsed.error.issues));
    this.events.push({ topic, payload: parsed.data as TopicPayload<T>, options });
  }

  on<T extends TopicName>(topic: T): TopicPayload<T>[] {
    return this.events.filter((e) => e.topic === topic).map((e) => e.payload as TopicPayload<T>);
  }
}
