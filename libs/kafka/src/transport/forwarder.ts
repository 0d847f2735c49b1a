import type { Logger } from '@llm/telemetry';
import type { KafkaEventPublisher, RawMessage } from '../producer/kafka-event.publisher';

/** Tries per forwarding round; each try is bounded by the publisher's delivery timeout. */
const TRIES = 3;

/**
 * Writes retry and DLQ copies. Bounded: after a few tries it reports failure instead of pinning a slot;
 * the caller then keeps the original uncommitted and tries again later (see KafkaTransport#stick).
 */
export class Forwarder {
  constructor(
    private readonly publisher: Pick<KafkaEventPublisher, 'send'>,
    private readonly log: Logger,
    private readonly backoffMs = 100,
  ) {}

  /** True once the copy is acknowledged (acks=all); false after the bounded tries. */
  async forward(message: RawMessage, stopping: () => boolean): Promise<boolean> {
    for (let attempt = 1; attempt <= TRIES; attempt++) {
      try {
        await this.publisher.send(message);
        return true;
      } catch (err) {
        this.log.error({ err, topic: message.topic, attempt }, 'forwarding failed');
        if (stopping() || attempt === TRIES) return false;
        await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** attempt));
      }
    }
    return false;
  }
}
