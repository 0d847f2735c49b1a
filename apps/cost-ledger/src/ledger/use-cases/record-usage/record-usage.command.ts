import type { UsageV1 } from '@llm/contracts';

export class RecordUsageCommand {
  private constructor(
    readonly tenantId: string,
    readonly usage: UsageV1,
  ) {}

  static create(usage: UsageV1): RecordUsageCommand {
    return new RecordUsageCommand(usage.tenant_id, usage);
  }
}
