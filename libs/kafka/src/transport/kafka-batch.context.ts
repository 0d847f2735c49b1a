import { BaseRpcContext } from '@nestjs/microservices';
import type { KafkaMessageInfo } from './kafka-message.context';

export interface KafkaBatchInfo {
  topic: string;
  partition: number;
  /** One per payload, in the same order (offsets ascending). */
  messages: readonly KafkaMessageInfo[];
}

/** The second argument of a batch handler (`@OnTopic(topic, { batch })`): where each message came from. */
export class KafkaBatchContext extends BaseRpcContext<[KafkaBatchInfo]> {
  constructor(info: KafkaBatchInfo) {
    super([info]);
  }

  get info(): KafkaBatchInfo {
    return this.args[0];
  }

  get topic(): string {
    return this.info.topic;
  }

  get messages(): readonly KafkaMessageInfo[] {
    return this.info.messages;
  }
}
