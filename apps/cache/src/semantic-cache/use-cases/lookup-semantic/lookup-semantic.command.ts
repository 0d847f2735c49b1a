import type { LlmRequestV1 } from '@llm/contracts';

export class LookupSemanticCommand {
  private constructor(
    readonly request: LlmRequestV1,
    readonly attempt: number,
  ) {}

  static create(request: LlmRequestV1, attempt: number): LookupSemanticCommand {
    return new LookupSemanticCommand(request, attempt);
  }
}
