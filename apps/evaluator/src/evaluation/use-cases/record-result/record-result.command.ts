import type { LlmResultV1 } from '@llm/contracts';

export class RecordResultCommand {
  private constructor(readonly result: LlmResultV1) {}

  /** The transport has validated the result against its topic schema. */
  static create(result: LlmResultV1): RecordResultCommand {
    return new RecordResultCommand(result);
  }

  get tenantId(): string {
    return this.result.tenant_id;
  }

  /** An answer of the LLM-as-judge comes back as an inbound request whose upstream id starts with `judge:`. */
  get isJudgeAnswer(): boolean {
    return this.result.upstream_id?.startsWith('judge:') === true;
  }
}
