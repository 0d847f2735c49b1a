import type { Logger } from '@llm/telemetry';
import type { KafkaEventPublisher, RawMessage } from '../producer/kafka-event.publisher';

/** Tries per forwarding round; each try is bounded by the publisher's delivery timeout. */
const TRIES = 3;

type Sender = Pick<KafkaEventPublisher, 'sendUnbounded' | 'bounded' | 'timeoutMs'>;

/**
 * Writes retry and DLQ copies. Bounded: after a few tries it reports failure instead of pinning a slot; the
 * caller then keeps the original uncommitted and tries again later (see KafkaTransport#stick). A try that
 * timed out is not sent again while the idempotent producer still retries it: the next try waits on the
 * same send, so a slow broker does not end up with several copies.
 */
export class Forwarder {
  private readonly pending = new WeakMap<RawMessage, Promise<void>>();

  constructor(
    private readonly publisher: Sender,
    private readonly log: Logger,
    private readonly backoffMs = 100,
  ) {}

  /** True once the copy is acknowledged (acks=all); false after the bounded tries. */
  async forward(message: RawMessage, stopping: () => boolean): Promise<boolean> {
    for (let attempt = 1; attempt <= TRIES; attempt++) {
      try {
        await this.publisher.bounded(this.sendOnce(message), message.topic, this.publisher.timeoutMs);
        return true;
      } catch (err) {
        this.log.error({ err, topic: message.topic, attempt }, 'forwarding failed');
        if (stopping() || attempt === TRIES) return false;
        await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** attempt));
      }
    }
    return false;
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
