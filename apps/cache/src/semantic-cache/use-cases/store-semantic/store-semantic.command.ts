import type { LlmResultV1 } from '@llm/contracts';

export class StoreSemanticCommand {
  private constructor(readonly result: LlmResultV1) {}

  static create(result: LlmResultV1): StoreSemanticCommand {
    return new StoreSemanticCommand(result);
  }
}
