import { Controller } from '@nestjs/common';
import { Headers, Topics, type InboundRequestV1, type LlmResultV1 } from '@llm/contracts';
import { KafkaMessageContext, OnTopic } from '@llm/kafka';
import { AdmissionGate } from '../admission/admission-gate';
import { InboundVerifier } from '../inbound-signing/inbound-verifier';
import { ReplyTopics } from '../replies/reply-topics';
import { AuthError, TenantDirectory } from '@llm/tenant-auth';
import { AcceptRequestCommand } from './use-cases/accept-request/accept-request.command';
import { AcceptRequestUseCase } from './use-cases/accept-request/accept-request.use-case';
import { RecordOutcomeUseCase } from './use-cases/record-outcome/record-outcome.use-case';

/** The key id the tenant's upstream traffic on llm.inbound.v1 is limited under (per-key overrides apply to it). */
export const INBOUND_KEY_ID = 'kafka-inbound';

@Controller()
export class RequestsConsumer {
  constructor(
    private readonly accept: AcceptRequestUseCase,
    private readonly recordOutcome: RecordOutcomeUseCase,
    private readonly tenants: TenantDirectory,
    private readonly gate: AdmissionGate,
    private readonly signatures: InboundVerifier,
    private readonly replies: ReplyTopics,
  ) {}

  /**
   * Upstream systems publish to llm.inbound.v1. Their request id is scoped by the tenant: a re-sent event is
   * the same request (answered and charged once), the same id with another body goes to the DLQ as
   * REQUEST_ID_REUSED, and another tenant's identical id is another request.
   */
  @OnTopic(Topics.inbound)
  async onInbound(event: InboundRequestV1, context: KafkaMessageContext): Promise<void> {
    // First: an event that cannot prove its tenant never reaches a lookup, a limit or a bill.
    this.signatures.verify(event.tenant_id, context.info);
    const tenant = await this.tenants.findTenant(event.tenant_id);
    if (!tenant) throw new AuthError('UNKNOWN_TENANT', `unknown tenant ${event.tenant_id}`);
    if (!tenant.active) throw new AuthError('TENANT_SUSPENDED', `tenant ${event.tenant_id} is suspended`);
    const caller = { tenantId: tenant.id, tier: tenant.tier, apiKeyId: INBOUND_KEY_ID };
    const plan = this.gate.plan(caller);
    const command = AcceptRequestCommand.create({
      tenantId: tenant.id,
      allowedTiers: this.gate.allowedTiers(plan),
      screening: plan.screening,
      tier: this.gate.tierOf(plan),
      mode: 'kafka',
      body: event.body,
      rag: event.rag,
      priorityHint: event.priority,
      upstreamId: event.request_id,
      userId: event.user_id,
      feature: event.feature,
    });
    // The same plan, model access and limits as HTTP; the inbound topic counts as one key of the tenant.
    const admission = await this.gate.enter(caller, plan, command);
    await this.gate.accepting(admission, async () => {
      await this.replies.remember(tenant.id, command.requestId, context.header(Headers.correlationId));
      await this.accept.execute(command);
    });
  }

  @OnTopic(Topics.results)
  async onResult(result: LlmResultV1): Promise<void> {
    await this.recordOutcome.execute(result);
  }
}
