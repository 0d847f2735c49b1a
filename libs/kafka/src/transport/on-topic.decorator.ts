import type { TopicName, TopicPayload } from '@llm/contracts';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { KafkaBatchContext } from './kafka-batch.context';
import type { KafkaMessageContext } from './kafka-message.context';

type TopicHandler<T extends TopicName> = (payload: TopicPayload<T>, context: KafkaMessageContext) => Promise<unknown>;

/**
 * What a batch handler may resolve with: nothing (every message succeeded), or one entry per payload, in
 * order, `undefined` for a success and the error for a message that failed on its own (routed like a thrown
 * error of a per-message handler: retried when retryable, else dead-lettered). Throwing fails the whole batch.
 */
export type BatchResult = void | undefined | readonly unknown[];

type TopicBatchHandler<T extends TopicName> = (payloads: TopicPayload<T>[], context: KafkaBatchContext) => Promise<BatchResult>;

export interface BatchDeliveryOptions {
  /** Most messages per handler call (a fetched batch of one partition is cut into calls of at most this many). */
  maxMessages: number;
}

/** Stored as the handler's pattern extras; the transport reads it once per topic. */
export const BATCH_EXTRAS_KEY = 'llmBatch';

/**
 * `@EventPattern(topic)` with the payload type tied to the topic: a handler whose first parameter does not
 * accept the topic's event type fails to compile. The transport has validated the payload before the call.
 *
 * With `{ batch: { maxMessages } }` the handler takes the already-validated messages of one fetched batch of
 * one partition instead (`(payloads, KafkaBatchContext)`): one call, one slot and one span per batch; invalid
 * messages still go to `<topic>.dlq` alone. See docs/adr/0028-kafka-batch-delivery.md for the failure rules.
 */
export function OnTopic<T extends TopicName>(topic: T): <H extends TopicHandler<T>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<H>) => void;
export function OnTopic<T extends TopicName>(
  topic: T,
  options: { batch: BatchDeliveryOptions },
): <H extends TopicBatchHandler<T>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<H>) => void;
export function OnTopic<T extends TopicName>(topic: T, options?: { batch: BatchDeliveryOptions }) {
  if (options && !(Number.isInteger(options.batch.maxMessages) && options.batch.maxMessages > 0)) {
    throw new RangeError(`@OnTopic(${topic}): batch.maxMessages must be a positive integer`);
  }
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor): void => {
    if (options) EventPattern(topic, { [BATCH_EXTRAS_KEY]: options.batch })(target, key, descriptor);
    else EventPattern(topic)(target, key, descriptor);
    // Nest passes only the payload unless parameters are marked; handlers always get (payload, context).
    Payload()(target, key, 0);
    Ctx()(target, key, 1);
  };
}
