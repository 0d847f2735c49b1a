import type { Priority, TopicInput, TopicName } from '@llm/contracts';

export interface PublishOptions {
  /** Extra headers; x-request-id, x-tenant-id, x-priority and traceparent are set from the payload. */
  headers?: Record<string, string>;
  /** Overrides the priority read from the payload (for events that carry none). */
  priority?: Priority;
}

/**
 * The port use cases publish through. Abstract class rather than interface so Nest can inject it by type;
 * the Kafka implementation and the in-memory test double both extend it.
 */
export abstract class EventPublisher {
  abstract publish<T extends TopicName>(topic: T, payload: TopicInput<T>, options?: PublishOptions): Promise<void>;
}
