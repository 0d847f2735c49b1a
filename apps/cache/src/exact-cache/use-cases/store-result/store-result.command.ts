import type { LlmResultV1 } from '@llm/contracts';

export class StoreResultCommand {
  private constructor(readonly result: LlmResultV1) {}

  static create(result: LlmResultV1): StoreResultCommand {
    return new StoreResultCommand(result);
  }
}
