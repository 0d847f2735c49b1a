import type { TopicName, TopicPayload } from '@llm/contracts';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { KafkaMessageContext } from './kafka-message.context';

type TopicHandler<T extends TopicName> = (payload: TopicPayload<T>, context: KafkaMessageContext) => Promise<unknown>;

/**
 * `@EventPattern(topic)` with the payload type tied to the topic: a handler whose first parameter does not
 * accept the topic's event type fails to compile. The transport has validated the payload before the call.
 */
export function OnTopic<T extends TopicName>(topic: T) {
  return <H extends TopicHandler<T>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<H>): void => {
    EventPattern(topic)(target, key, descriptor);
    // Nest passes only the payload unless parameters are marked; handlers always get (payload, context).
    Payload()(target, key, 0);
    Ctx()(target, key, 1);
  };
}
