import { Injectable } from '@nestjs/common';
import type { LlmResultV1 } from '@llm/contracts';
import { RequestStatusStore } from '../../request-status.repository';

/** Keeps GET /v1/requests/{id} answerable after the request's stream has expired. */
@Injectable()
export class RecordOutcomeUseCase {
  constructor(private readonly status: RequestStatusStore) {}

  async execute(result: LlmResultV1): Promise<void> {
    await this.status.saveOutcome(result);
  }
}
