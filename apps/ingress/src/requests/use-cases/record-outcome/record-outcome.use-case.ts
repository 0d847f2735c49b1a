import { Injectable } from '@nestjs/common';
import type { LlmResultV1 } from '@llm/contracts';
import { ReplyTopics } from '../../../replies/reply-topics';
import { RequestStatusStore } from '../../request-status.repository';

/** Keeps GET /v1/requests/{id} answerable after the request's stream has expired. */
@Injectable()
export class RecordOutcomeUseCase {
  constructor(
    private readonly status: RequestStatusStore,
    private readonly replies: ReplyTopics,
  ) {}

  async execute(result: LlmResultV1): Promise<void> {
    await this.status.saveOutcome(result);
    // After the status: a failed reply publish retries the whole message, and saving the status again is harmless.
    await this.replies.deliver(result);
  }
}
