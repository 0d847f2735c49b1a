import { Headers } from '@llm/contracts';
import type { KafkaMessageInfo } from '@llm/kafka';
import type { MetricsRegistry } from '@llm/telemetry';
import type { Counter } from 'prom-client';
import { verifyInbound } from './inbound-signature';
import { InboundSigningError } from './inbound-signing.errors';
import type { SigningKeys } from './signing-keys';

/**
 * The inbound topic's door: an event proves its tenant with an HMAC over its bytes before anything is looked
 * up, limited or billed. A refusal is not retryable, so the transport dead-letters it with the reason.
 */
export class InboundVerifier {
  private readonly checks: Counter<'outcome'>;

  constructor(
    private readonly keys: SigningKeys,
    private readonly required: boolean,
    metrics: MetricsRegistry,
  ) {
    this.checks = metrics.counter('ingress_inbound_signature_total', 'Inbound event signature checks by outcome', ['outcome']);
  }

  verify(tenantId: string, message: Pick<KafkaMessageInfo, 'value' | 'headers'>): void {
    const check = verifyInbound(this.keys, tenantId, message.value, message.headers[Headers.signature], message.headers[Headers.signatureKeyId], this.required);
    this.checks.inc({ outcome: check.ok ? 'ok' : check.reason });
    if (!check.ok) throw new InboundSigningError('SIGNATURE_INVALID', `inbound event for tenant ${tenantId} refused: signature ${check.reason} (see docs/inbound-signing.md)`);
  }
}
