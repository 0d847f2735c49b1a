import { Inject, Injectable } from '@nestjs/common';
import type { LlmResultV1 } from '@llm/contracts';
import { ADMISSION_SETTINGS, type AdmissionSettings } from '../../../admission/admission.tokens';
import { ConcurrencySlots } from '../../../admission/concurrency/concurrency-slots';
import { RateLimits } from '../../../admission/rate-limits/rate-limits';
import { ReplyTopics } from '../../../replies/reply-topics';
import { RequestStatusStore } from '../../request-status.repository';

/**
 * Keeps GET /v1/requests/{id} answerable after the request's stream has expired, delivers the outcome to the
 * upstream's reply topic, and charges a model's completion tokens to the token limits the request was admitted
 * under (prompt tokens were counted at admission; completion tokens are only known now).
 */
@Injectable()
export class RecordOutcomeUseCase {
  constructor(
    private readonly status: RequestStatusStore,
    private readonly replies: ReplyTopics,
    private readonly limits: RateLimits,
    private readonly slots: ConcurrencySlots,
    @Inject(ADMISSION_SETTINGS) private readonly settings: Pick<AdmissionSettings, 'ADMISSION_LIMITS'>,
  ) {}

  async execute(result: LlmResultV1): Promise<void> {
    await this.status.saveOutcome(result);
    // After the status: a failed reply publish retries the whole message, and saving the status again is harmless.
    await this.replies.deliver(result);
    // A cached answer spent no provider tokens: only a model's completion counts against token limits.
    const completion = result.source === 'model' ? (result.usage?.completion_tokens ?? 0) : 0;
    if (!this.settings.ADMISSION_LIMITS) return;
    await Promise.all([
      // The request is finished: its in-flight slot (if its plan caps in-flight work) is free again.
      this.slots.releaseInFlight(result.tenant_id, result.request_id),
      completion > 0 ? this.limits.settleCompletion(result.tenant_id, result.request_id, completion) : undefined,
    ]);
  }
}
