import type { LlmRequestV1 } from '@llm/contracts';

export class LookupRequestCommand {
  private constructor(
    readonly request: LlmRequestV1,
    readonly attempt: number,
  ) {}

  static create(request: LlmRequestV1, attempt: number): LookupRequestCommand {
    return new LookupRequestCommand(request, attempt);
  }
}
