import type { Logger } from '@llm/telemetry';
import type { KafkaEventPublisher, RawMessage } from '../producer/kafka-event.publisher';

type Sender = Pick<KafkaEventPublisher, 'sendUnbounded' | 'bounded' | 'timeoutMs'>;

/**
 * Writes retry and DLQ copies. One wait bounded by the delivery timeout (the idempotent producer retries on
 * its own inside it), then it reports failure instead of pinning a slot; the caller keeps the original
 * uncommitted and tries again later without a slot (StuckCopies). A send that timed out is not sent again
 * while the producer still retries it: the next round waits on the same send, so a slow broker does not end
 * up with several copies.
 */
export class Forwarder {
  private readonly pending = new WeakMap<RawMessage, Promise<void>>();

  constructor(
    private readonly publisher: Sender,
    private readonly log: Logger,
  ) {}

  /** True once the copy is acknowledged (acks=all); false when the delivery timeout passed first. */
  async forward(message: RawMessage): Promise<boolean> {
    try {
      await this.publisher.bounded(this.sendOnce(message), message.topic, this.publisher.timeoutMs);
      return true;
    } catch (err) {
      this.log.error({ err, topic: message.topic }, 'forwarding failed');
      return false;
    }
  }

  private sendOnce(message: RawMessage): Promise<void> {
    let sent = this.pending.get(message);
    if (!sent) {
      sent = this.publisher.sendUnbounded(message);
      this.pending.set(message, sent);
      // A send that failed outright may be sent again; one still retrying is waited on.
      sent.catch(() => this.pending.delete(message));
    }
    return sent;
  }
}
