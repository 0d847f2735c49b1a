import { createHmac } from 'node:crypto';
import type { Logger } from '@llm/telemetry';
import type { WebhookTarget } from './alert.repository';

/** `x-ledger-signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`; receivers reject old timestamps. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Delivers an alert to a tenant's webhook, signed, retried with exponential backoff on network errors and
 * 5xx/429, in the background: ingestion never waits for a tenant's endpoint.
 */
export class WebhookSender {
  constructor(
    private readonly log: Logger,
    private readonly options: { attempts: number; timeoutMs: number; baseDelayMs?: number },
  ) {}

  send(target: WebhookTarget, payload: unknown): Promise<boolean> {
    return this.deliver(target, JSON.stringify(payload));
  }

  private async deliver(target: WebhookTarget, body: string): Promise<boolean> {
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      try {
        const res = await fetch(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-ledger-timestamp': timestamp, 'x-ledger-signature': signWebhook(target.secret, timestamp, body) },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        if (res.ok) return true;
        if (res.status < 500 && res.status !== 429) {
          this.log.warn({ status: res.status }, 'alert webhook refused the delivery; not retried');
          return false;
        }
      } catch (err) {
        this.log.debug({ err, attempt }, 'alert webhook delivery failed');
      }
      await new Promise((r) => setTimeout(r, (this.options.baseDelayMs ?? 500) * 2 ** (attempt - 1) * (0.5 + Math.random())));
    }
    this.log.warn({ attempts: this.options.attempts }, 'alert webhook gave up');
    return false;
  }
}
