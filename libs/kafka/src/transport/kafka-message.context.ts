import { BaseRpcContext } from '@nestjs/microservices';

export interface KafkaMessageInfo {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  attempt: number;
  timestamp: string;
  /** The message's bytes as they arrived (for signatures computed over them). */
  value: Buffer | null;
}

/** The second argument of every Kafka handler: where the message came from and which attempt this is. */
export class KafkaMessageContext extends BaseRpcContext<[KafkaMessageInfo]> {
  constructor(info: KafkaMessageInfo) {
    super([info]);
  }

  get info(): KafkaMessageInfo {
    return this.args[0];
  }

  get topic(): string {
    return this.info.topic;
  }

  get attempt(): number {
    return this.info.attempt;
  }

  header(name: string): string | undefined {
    return this.info.headers[name];
  }
}
