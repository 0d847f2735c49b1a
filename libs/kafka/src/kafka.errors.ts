import { DomainError } from '@llm/errors';

export type KafkaErrorCode = 'CONTRACT_VIOLATION' | 'UNKNOWN_TOPIC' | 'PUBLISH_FAILED' | 'PUBLISH_TIMEOUT' | 'NOT_CONNECTED';

export class KafkaError extends DomainError<KafkaErrorCode> {
  readonly kind = 'kafka';
}
